package io.batchline.api.dispatch;

import io.batchline.model.messaging.Topology;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Publishes a stored batch's items, one persistent message each, in chunks: publish a
 * chunk, wait for the broker's confirms, then advance the batch's {@code dispatched}
 * watermark. A crash between confirm and watermark only re-publishes one chunk, which the
 * tracker counts once anyway.
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
            RETURNING operation, dispatched, total
            """;
    static final String NEXT_ITEMS = """
            SELECT seq, payload::text FROM batch_items
             WHERE batch_id = :id AND seq >= :from
             ORDER BY seq
             LIMIT :limit
            """;
    static final String ADVANCE = """
            UPDATE batches
               SET dispatched = :dispatched,
                   dispatch_lease_until = now() + make_interval(secs => :leaseSeconds)
             WHERE id = :id AND dispatch_owner = :owner
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

    private record Claim(String operation, int dispatched, int total) {
    }

    private record Row(int seq, String payload) {
    }

    void dispatch(UUID batchId) {
        Optional<Claim> claim = jdbc.sql(CLAIM)
                .param("owner", owner).param("leaseSeconds", settings.lease().toSeconds()).param("id", batchId)
                .query((rs, n) -> new Claim(rs.getString(1), rs.getInt(2), rs.getInt(3)))
                .optional();
        if (claim.isEmpty()) {
            return;
        }
        String operation = claim.get().operation();
        Counter dispatchedItems = meters.counter("batchline.items.dispatched", "operation", operation);
        int next = claim.get().dispatched();
        try {
            while (next < claim.get().total()) {
                List<Row> rows = jdbc.sql(NEXT_ITEMS)
                        .param("id", batchId).param("from", next).param("limit", settings.chunkSize())
                        .query((rs, n) -> new Row(rs.getInt(1), rs.getString(2)))
                        .list();
                if (rows.isEmpty()) {
                    break;
                }
                publishConfirmed(batchId, operation, rows);
                next = rows.getLast().seq() + 1;
                int updated = jdbc.sql(ADVANCE)
                        .param("dispatched", next).param("leaseSeconds", settings.lease().toSeconds())
                        .param("id", batchId).param("owner", owner)
                        .update();
                dispatchedItems.increment(rows.size());
                if (updated == 0) {
                    log.warn("Lost the dispatch lease of batch {} at item {}; another instance goes on", batchId, next);
                    return;
                }
            }
            log.info("Dispatched batch {} ({} items, operation {})", batchId, claim.get().total(), operation);
        } finally {
            jdbc.sql(RELEASE).param("id", batchId).param("owner", owner).update();
        }
    }

    private void publishConfirmed(UUID batchId, String operation, List<Row> rows) {
        rabbit.invoke(ops -> {
            for (Row row : rows) {
                MessageProperties properties = new MessageProperties();
                properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
                properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
                properties.setMessageId(Topology.messageId(batchId, row.seq(), 1));
                properties.setHeader(Topology.HEADER_BATCH_ID, batchId.toString());
                properties.setHeader(Topology.HEADER_ITEM_SEQ, row.seq());
                properties.setHeader(Topology.HEADER_ATTEMPT, 1);
                properties.setHeader(Topology.HEADER_OPERATION, operation);
                ops.send(Topology.ITEMS_EXCHANGE, operation,
                        new Message(row.payload().getBytes(StandardCharsets.UTF_8), properties));
            }
            ops.waitForConfirmsOrDie(settings.confirmTimeout().toMillis());
            return null;
        });
    }

    @Override
    public void destroy() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }
}
