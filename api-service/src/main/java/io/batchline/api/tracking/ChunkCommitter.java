package io.batchline.api.tracking;

import io.batchline.model.messaging.Topology;

import com.rabbitmq.client.Channel;
import io.batchline.model.messaging.Deaths;
import io.batchline.support.OutagePause;
import io.batchline.support.TransientFailures;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Commits a chunk of messages to the database and then acknowledges them, for the tracker
 * and the dead-letter recorder alike. Three rules:
 * <ol>
 * <li>A transient failure (database down, restarting, out of connections, read-only
 *     during a failover) pauses: the chunk is held, unacknowledged, and tried again with
 *     backoff, for as long as the outage lasts. Nothing goes back to the queue, so no
 *     delivery budget is spent. If the hold grows longer than {@code maxHold} (the broker
 *     closes a consumer that sits on a delivery for its consumer timeout), the chunk is
 *     re-published to its own queue as new messages, confirmed, and only then acknowledged:
 *     the same results, a fresh budget. Until one of the two succeeds the listener does not
 *     return, so no later acknowledgement can cover the held messages.
 * <li>Any other failure means some message of the chunk is poison for the database. The
 *     chunk is then committed one message at a time (with the same hold rules), and only a
 *     message that fails on its own while the database answers is rejected to its
 *     dead-letter queue (where an admin can replay it).
 * <li>Acknowledgements follow the commit, never precede it.
 * </ol>
 */
@Component
class ChunkCommitter {

    private static final Logger log = LoggerFactory.getLogger(ChunkCommitter.class);

    private final RabbitTemplate rabbit;
    private final TrackerSettings settings;
    private final MeterRegistry meters;
    private final JdbcClient jdbc;

    ChunkCommitter(RabbitTemplate rabbit, TrackerSettings settings, MeterRegistry meters, JdbcClient jdbc) {
        this.rabbit = rabbit;
        this.settings = settings;
        this.meters = meters;
        // at 0 from the start: the TrackerPaused alert's increase() then sees the first pause too
        for (String queue : java.util.List.of(Topology.RESULTS_QUEUE, Topology.DEAD_RECORDER_QUEUE)) {
            meters.counter("batchline.tracker.outage.pauses", "queue", queue);
        }
        this.jdbc = jdbc;
    }

    /** One message and what it carries. */
    record Entry<T>(Message message, T value) {

        long tag() {
            return message.getMessageProperties().getDeliveryTag();
        }
    }

    private enum Outcome { COMMITTED, HANDED_BACK, POISON, STOPPING }

    /**
     * Commits {@code entries} with {@code commit} (one transaction for the list it is given)
     * and acknowledges them.
     *
     * @param queue the queue they came from: a long hold puts them back there
     */
    <T> void commit(List<Entry<T>> entries, Channel channel, Consumer<List<T>> commit, String queue) {
        if (entries.isEmpty()) {
            return;
        }
        switch (holding(entries, commit, queue)) {
            case COMMITTED, HANDED_BACK -> ack(channel, entries);
            case STOPPING -> log.info("Stopping with {} messages from {} in hand; the broker redelivers them", entries.size(), queue);
            case POISON -> {
                if (entries.size() == 1) {
                    Entry<T> entry = entries.getFirst();
                    log.error("Message {} from {} cannot be recorded; it is dead-lettered for an operator to replay",
                            entry.message().getMessageProperties().getMessageId(), queue);
                    meters.counter("batchline.tracker.dead_lettered", "queue", queue).increment();
                    reject(channel, entry.tag());
                } else {
                    log.warn("Recording {} messages from {} failed; recording them one by one to isolate the poison",
                            entries.size(), queue);
                    entries.forEach(entry -> commit(List.of(entry), channel, commit, queue));
                }
            }
        }
    }

    private <T> Outcome holding(List<Entry<T>> entries, Consumer<List<T>> commit, String queue) {
        OutagePause pause = new OutagePause(log, "Recording from " + queue, settings.outageFirstBackoff(),
                settings.outageLongestBackoff());
        while (true) {
            try {
                commit.accept(entries.stream().map(Entry::value).toList());
                pause.resumed();
                return Outcome.COMMITTED;
            } catch (RuntimeException e) {
                // an outage the rule did not recognise is still an outage, not poison
                if (!TransientFailures.isTransient(e) && databaseAnswers()) {
                    log.warn("Recording from {} failed while the database answers: {}", queue, e.toString());
                    return Outcome.POISON;
                }
                meters.counter("batchline.tracker.outage.pauses", "queue", queue).increment();
                if (!pause.pause(e)) {
                    return Outcome.STOPPING;
                }
                if (pause.elapsed().compareTo(settings.maxHold()) > 0 && handBack(entries, queue)) {
                    return Outcome.HANDED_BACK;
                }
            }
        }
    }

    /** Whether the database answers and takes writes: a message is poison only if it fails while it does. */
    private boolean databaseAnswers() {
        try {
            return Boolean.FALSE.equals(jdbc.sql("SELECT pg_is_in_recovery()").query(Boolean.class).single());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * After a long hold: the same bodies as fresh messages to the queue they came from
     * (confirmed); the caller then acknowledges the originals. An item's death travels along
     * ({@link Deaths#freshCopy}).
     */
    private <T> boolean handBack(List<Entry<T>> entries, String queue) {
        try {
            rabbit.invoke(ops -> {
                for (Entry<T> entry : entries) {
                    ops.send("", queue, Deaths.freshCopy(entry.message()));
                }
                ops.waitForConfirmsOrDie(settings.maxHold().toMillis());
                return null;
            });
            log.warn("Held {} messages from {} past {}; put them back as new messages to stay clear of the consumer timeout",
                    entries.size(), queue, settings.maxHold());
            return true;
        } catch (RuntimeException e) {
            log.warn("Could not put held messages back into {} ({}); still holding them", queue, e.toString());
            return false;
        }
    }

    /** Acknowledges exactly these messages (a held chunk is never covered by another's ack). */
    private static <T> void ack(Channel channel, List<Entry<T>> entries) {
        try {
            if (entries.size() == 1) {
                channel.basicAck(entries.getFirst().tag(), false);
            } else {
                // every tag up to the last that is still unsettled belongs to this chunk: a listener's
                // deliveries arrive in tag order and it never returns with a chunk unsettled
                channel.basicAck(entries.stream().mapToLong(Entry::tag).max().orElseThrow(), true);
            }
        } catch (IOException e) {
            log.warn("Could not acknowledge recorded messages; they will be redelivered and recorded once: {}", e.getMessage());
        }
    }

    private static void reject(Channel channel, long tag) {
        try {
            channel.basicNack(tag, false, false);
        } catch (IOException e) {
            log.warn("Could not reject message {}; it will be redelivered: {}", tag, e.getMessage());
        }
    }
}
