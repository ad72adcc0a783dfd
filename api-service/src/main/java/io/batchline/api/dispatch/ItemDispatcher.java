package io.batchline.api.dispatch;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.batchline.model.messaging.Topology;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Publishes a stored batch's items, one persistent message each, with publisher confirms
 * and a sliding window of unconfirmed messages; the batch's {@code dispatched} watermark
 * only ever moves over confirmed items. A crash re-publishes at most the items between
 * the stored watermark and the crash, which the tracker counts once anyway.
 *
 * <p>Only the instance holding a batch's lease dispatches it; the lease is renewed with
 * every chunk. A periodic scan picks up batches whose dispatch stopped (instance killed,
 * broker down) once their lease has run out, so any API instance finishes the job.
 */
@Component
public class ItemDispatcher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ItemDispatcher.class);

    static final String CLAIM = """
            UPDATE batches
               SET dispatch_owner = :owner,
                   dispatch_lease_until = now() + make_interval(secs => :leaseSeconds),
                   status = CASE WHEN status = 'pending' THEN 'processing' ELSE status END,
                   started_at = coalesce(started_at, now())
             WHERE id = :id
               AND dispatched < total
               AND status IN ('pending', 'processing')
               AND (dispatch_lease_until IS NULL OR dispatch_lease_until < now() OR dispatch_owner = :owner)
            RETURNING operation, dispatched, total, round, coalesce((options->>'maxAttempts')::int, 5)
            """;
    static final String NEXT_ITEMS = """
            SELECT seq, attempts, payload::text FROM batch_items
             WHERE batch_id = :id AND seq >= :from AND round = :round AND status = 'pending'
             ORDER BY seq
             LIMIT :limit
            """;
    static final String ADVANCE = """
            UPDATE batches
               SET dispatched = :dispatched,
                   dispatch_lease_until = now() + make_interval(secs => :leaseSeconds)
             WHERE id = :id AND dispatch_owner = :owner AND status IN ('pending', 'processing')
            """;
    static final String RELEASE = """
            UPDATE batches SET dispatch_owner = NULL, dispatch_lease_until = NULL
             WHERE id = :id AND dispatch_owner = :owner
            """;
    static final String UNFINISHED = """
            SELECT id FROM batches
             WHERE dispatched < total AND status IN ('pending', 'processing')
               AND (dispatch_lease_until IS NULL OR dispatch_lease_until < now())
             ORDER BY created_at
             LIMIT 100
            """;

    private final JdbcClient jdbc;
    private final RabbitTemplate rabbit;
    private final DispatchSettings settings;
    private final ExecutorService pool;
    private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();
    private final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();
    private final MeterRegistry meters;

    ItemDispatcher(JdbcClient jdbc, RabbitTemplate rabbit, DispatchSettings settings, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.rabbit = rabbit;
        this.settings = settings;
        this.meters = meters;
        this.pool = Executors.newFixedThreadPool(settings.threads(), Thread.ofPlatform().name("dispatch-", 0).factory());
    }

    /** Starts dispatching the batch in the background unless this instance already is. */
    public void dispatchSoon(UUID batchId) {
        if (inFlight.add(batchId)) {
            pool.execute(() -> {
                try {
                    dispatch(batchId);
                } catch (RuntimeException e) {
                    log.warn("Dispatch of batch {} stopped, it will be resumed: {}", batchId, e.getMessage());
                } finally {
                    inFlight.remove(batchId);
                }
            });
        }
    }

    /** Picks up dispatches that nobody holds a live lease on (after a crash or a broker outage). */
    @Scheduled(fixedDelayString = "${batch.dispatch.recovery-interval:5s}", initialDelayString = "${batch.dispatch.recovery-interval:5s}")
    void resumeUnfinished() {
        try {
            jdbc.sql(UNFINISHED).query(UUID.class).list().forEach(this::dispatchSoon);
        } catch (RuntimeException e) {
            log.debug("Dispatch recovery scan failed: {}", e.getMessage());
        }
    }

    private record Claim(String operation, int dispatched, int total, int round, int maxAttempts) {
    }

    /** An item to publish; {@code attempts} is how often it was tried in earlier rounds. */
    private record Row(int seq, int attempts, String payload) {
    }

    void dispatch(UUID batchId) {
        Optional<Claim> claim = jdbc.sql(CLAIM)
                .param("owner", owner).param("leaseSeconds", settings.lease().toSeconds()).param("id", batchId)
                .query((rs, n) -> new Claim(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getInt(5)))
                .optional();
        if (claim.isEmpty()) {
            return;
        }
        try {
            rabbit.execute(channel -> {
                publishAll(channel, batchId, claim.get());
                return null;
            });
        } finally {
            jdbc.sql(RELEASE).param("id", batchId).param("owner", owner).update();
        }
    }

    /**
     * Reads the batch's undispatched items chunk by chunk and publishes them without
     * stopping for confirms; after each chunk the watermark moves to the lowest item the
     * broker has not confirmed yet.
     */
    private void publishAll(Channel channel, UUID batchId, Claim claim) throws Exception {
        String operation = claim.operation();
        Counter publishedItems = meters.counter("batchline.items.dispatched", "operation", operation);
        ConfirmWindow window = new ConfirmWindow(settings.confirmWindow());
        channel.addConfirmListener(window);
        long timeout = settings.confirmTimeout().toMillis();
        int next = claim.dispatched();
        int stored = next;
        try {
            while (true) {
                List<Row> rows = jdbc.sql(NEXT_ITEMS)
                        .param("id", batchId).param("from", next).param("round", claim.round())
                        .param("limit", settings.chunkSize())
                        .query((rs, n) -> new Row(rs.getInt(1), rs.getInt(2), rs.getString(3)))
                        .list();
                if (rows.isEmpty()) {
                    break;
                }
                for (Row row : rows) {
                    window.publishing(channel.getNextPublishSeqNo(), row.seq());
                    channel.basicPublish(Topology.ITEMS_EXCHANGE, operation, false,
                            properties(batchId, row, claim), row.payload().getBytes(StandardCharsets.UTF_8));
                    window.awaitRoom(timeout);
                }
                publishedItems.increment(rows.size());
                next = rows.getLast().seq() + 1;
                int confirmed = window.watermark(next);
                if (confirmed > stored) {
                    if (!advance(batchId, confirmed)) {
                        return;
                    }
                    stored = confirmed;
                }
            }
            window.drain(timeout);
            // every item of this round is confirmed: the watermark covers the whole batch
            if (!advance(batchId, claim.total())) {
                return;
            }
            log.info("Dispatched batch {} ({} items, operation {})", batchId, claim.total(), operation);
        } finally {
            channel.removeConfirmListener(window);
        }
    }

    private boolean advance(UUID batchId, int watermark) {
        int updated = jdbc.sql(ADVANCE)
                .param("dispatched", watermark).param("leaseSeconds", settings.lease().toSeconds())
                .param("id", batchId).param("owner", owner)
                .update();
        if (updated == 0) {
            // the batch was stopped (cancel, deadline, fail-fast) or another instance took the lease over
            log.info("Stopped dispatching batch {} at item {}: it has ended or another instance holds its lease", batchId, watermark);
        }
        return updated == 1;
    }

    /**
     * Attempts count across retry rounds (so message ids stay unique); the cap travels as an
     * absolute attempt number: this round may try the item {@code maxAttempts} more times.
     */
    private static AMQP.BasicProperties properties(UUID batchId, Row row, Claim claim) {
        int attempt = row.attempts() + 1;
        return new AMQP.BasicProperties.Builder()
                .deliveryMode(2)
                .contentType("application/json")
                .messageId(Topology.messageId(batchId, row.seq(), attempt))
                .headers(Map.of(
                        Topology.HEADER_BATCH_ID, batchId.toString(),
                        Topology.HEADER_ITEM_SEQ, row.seq(),
                        Topology.HEADER_ROUND, claim.round(),
                        Topology.HEADER_ATTEMPT, attempt,
                        Topology.HEADER_MAX_ATTEMPTS, row.attempts() + claim.maxAttempts(),
                        Topology.HEADER_OPERATION, claim.operation()))
                .build();
    }

    @Override
    public void destroy() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }
}
