package io.batchline.worker.consumption;

import io.batchline.model.messaging.ItemActivity;
import io.batchline.model.messaging.Topology;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The worker's side of crash visibility: notes on {@code batch.activity} about items it has
 * not finished. A chunk still running after {@code WORKER_ANNOUNCE_AFTER} is announced as
 * started (by this worker, at which attempt), so a long item is visible in flight and a
 * worker that dies holding it is named; chunks that finish sooner are never announced, so
 * the fast path pays nothing. Crashes and retries are noted once the chunk is
 * acknowledged ({@link #send(ItemActivity.Kind, List)}), best effort like every note.
 */
@Component
class ActivityNotes implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ActivityNotes.class);

    private final RabbitTemplate rabbit;
    private final JsonMapper json;
    private final WorkerSettings settings;
    private final String worker = workerName();
    private final ScheduledThreadPoolExecutor timer = timer();

    ActivityNotes(RabbitTemplate rabbit, JsonMapper json, WorkerSettings settings) {
        this.rabbit = rabbit;
        this.json = json;
        this.settings = settings;
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "activity-notes");
            thread.setDaemon(true);
            return thread;
        });
        // most announcements are cancelled (the chunk ended first): drop them at once, not when due
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** How items and the dashboard name this worker: the host (pod) name and the process id. */
    static String workerName() {
        String host = System.getenv("HOSTNAME");
        String runtime = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
        int at = runtime.indexOf('@');
        String pid = at > 0 ? runtime.substring(0, at) : runtime;
        return (host == null || host.isBlank() ? (at > 0 ? runtime.substring(at + 1) : "worker") : host) + "/" + pid;
    }

    String worker() {
        return worker;
    }

    /**
     * Announces {@code items} as started if the returned handle is not closed within the
     * announce delay. Close it when the chunk is done.
     */
    AutoCloseable started(List<ItemActivity.Item> items) {
        if (items.isEmpty() || settings.announceAfter().isZero()) {
            return () -> { };
        }
        Instant startedAt = Instant.now();
        ScheduledFuture<?> announce = timer.schedule(() -> send(new ItemActivity(ItemActivity.Kind.STARTED, worker, startedAt, items)),
                settings.announceAfter().toMillis(), TimeUnit.MILLISECONDS);
        return () -> announce.cancel(false);
    }

    /** Sends a note now, best effort (not confirmed): a note must never hold up a chunk's outcomes. */
    void send(ItemActivity.Kind kind, List<ItemActivity.Item> items) {
        send(new ItemActivity(kind, worker, Instant.now(), items));
    }

    private void send(ItemActivity note) {
        try {
            Message message = message(note);
            rabbit.send(Topology.RESULTS_EXCHANGE, Topology.ACTIVITY_ROUTING_KEY, message);
        } catch (RuntimeException e) {
            // a note, not an outcome: the item's result still arrives
            log.debug("Could not send a {} note on {} items: {}", note.kind(), note.items().size(), e.toString());
        }
    }

    private Message message(ItemActivity note) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        return new Message(json.writeValueAsBytes(note), properties);
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }
}
