package io.batchline.api.dispatch;

import io.batchline.api.support.StatusSql;
import io.batchline.model.messaging.Topology;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Stuck-item reconciliation: the last line of defence (the seeds' stuck-job recovery). It
 * looks for items of active batches that are still pending although nothing is in flight
 * for them: nobody holds the batch's dispatch lease (it is fully dispatched, or parked with its
 * dispatch window full), no result has
 * been recorded for it for {@code stuckAfter}, and its operation's queues (work,
 * isolation, every retry tier) hold no ready message it could be waiting behind. Such a
 * batch's pending items are dispatched again, which is idempotent (a result is recorded
 * once per item and round); a stopping batch's pending items end with the stop's outcome.
 * Every find is counted ({@code batchline_reconciled_items_total}) and logged: in a
 * healthy system there are none, so any is worth an alert.
 */
@Component
class StuckItemSweep {

    private static final Logger log = LoggerFactory.getLogger(StuckItemSweep.class);

    /**
     * Quiet batches whose operation is quiet too: while any batch of the operation records
     * results, workers are busy with it and a quiet batch may simply be waiting its turn
     * behind items they hold (unacknowledged messages do not show as ready).
     */
    static final String CANDIDATES = StatusSql.render("""
            SELECT b.id, b.operation FROM batches b
             WHERE b.status IN ({ACTIVE})
               AND (b.dispatch_lease_until IS NULL OR b.dispatch_lease_until < now())
               AND coalesce(b.last_progress_at, b.started_at, b.created_at) < now() - make_interval(secs => :stuckSeconds)
               AND NOT EXISTS (SELECT 1 FROM batches busy
                                WHERE busy.operation = b.operation AND busy.status IN ({ACTIVE})
                                  AND busy.last_progress_at >= now() - make_interval(secs => :stuckSeconds))
             ORDER BY b.last_progress_at NULLS FIRST
             LIMIT 100
            """);
    /**
     * Conditional on the same facts under the row lock, so two instances never both act. A
     * stopping batch also forgets {@code published_below}: nothing of it is in flight, so
     * the dispatcher ends its pending items instead of publishing them.
     */
    static final String REDISPATCH = StatusSql.render("""
            WITH lost AS (
                SELECT count(*) AS n FROM batch_items i JOIN batches b ON b.id = i.batch_id
                 WHERE i.batch_id = :id AND i.round = b.round AND i.status IN ({UNFINISHED_ITEMS})
                   -- only what was published can be lost; the rest still waits for its credit
                   AND i.seq < b.published_below
            )
            UPDATE batches b
               SET dispatched = 0,
                   published_below = CASE WHEN b.status = 'stopping' THEN 0 ELSE b.published_below END,
                   reconciled_items = b.reconciled_items + lost.n,
                   last_progress_at = now()
              FROM lost
             WHERE b.id = :id AND lost.n > 0 AND b.status IN ({ACTIVE})
               AND (b.dispatch_lease_until IS NULL OR b.dispatch_lease_until < now())
               AND coalesce(b.last_progress_at, b.started_at, b.created_at) < now() - make_interval(secs => :stuckSeconds)
            RETURNING lost.n, b.status
            """);

    private final JdbcClient jdbc;
    private final AmqpAdmin rabbitAdmin;
    private final ItemDispatcher dispatcher;
    private final ReconciliationSettings settings;
    private final MeterRegistry meters;
    /** Batches the previous sweep found stuck; only the scheduler thread touches it. */
    private java.util.Set<UUID> suspects = new java.util.HashSet<>();

    StuckItemSweep(JdbcClient jdbc, AmqpAdmin rabbitAdmin, ItemDispatcher dispatcher, ReconciliationSettings settings,
                   MeterRegistry meters) {
        this.jdbc = jdbc;
        this.rabbitAdmin = rabbitAdmin;
        this.dispatcher = dispatcher;
        this.settings = settings;
        this.meters = meters;
        meters.counter("batchline.reconciled.items");
    }

    @Scheduled(fixedDelayString = "${batch.reconciliation.interval:30s}", initialDelayString = "${batch.reconciliation.interval:30s}")
    void sweepOnSchedule() {
        try {
            sweep(settings.stuckAfter());
        } catch (RuntimeException e) {
            // the database or the broker is down: start over once both are back
            suspects = new java.util.HashSet<>();
            log.debug("Stuck-item sweep failed: {}", e.getMessage());
        }
    }

    /**
     * One sweep; returns how many items were found stuck. A batch is acted on only when the
     * previous sweep saw it stuck too, so a tracker catching up after an outage (its held
     * results not recorded yet) has a whole interval to do so first.
     */
    int sweep(Duration stuckAfter) {
        record Candidate(UUID id, String operation) {
        }
        List<Candidate> candidates = jdbc.sql(CANDIDATES).param("stuckSeconds", stuckAfter.toSeconds())
                .query((rs, n) -> new Candidate(rs.getObject(1, UUID.class), rs.getString(2))).list();
        java.util.Set<UUID> seenBefore = suspects;
        suspects = new java.util.HashSet<>();
        int found = 0;
        for (Candidate candidate : candidates) {
            if (anythingQueuedFor(candidate.operation())) {
                continue; // it may be waiting behind other work, not lost
            }
            suspects.add(candidate.id());
            if (!seenBefore.contains(candidate.id())) {
                continue;
            }
            record Lost(int items, String status) {
            }
            List<Lost> lost = jdbc.sql(REDISPATCH).param("id", candidate.id()).param("stuckSeconds", stuckAfter.toSeconds())
                    .query((rs, n) -> new Lost(rs.getInt(1), rs.getString(2))).list();
            for (Lost l : lost) {
                found += l.items();
                meters.counter("batchline.reconciled.items").increment(l.items());
                log.warn("Reconciliation: batch {} ({}) had {} pending items with nothing in flight for {}; {}",
                        candidate.id(), l.status(), l.items(), stuckAfter,
                        "stopping".equals(l.status()) ? "ending them with the stop's outcome" : "dispatching them again");
                dispatcher.dispatchSoon(candidate.id());
            }
        }
        return found;
    }

    private boolean anythingQueuedFor(String operation) {
        List<String> queues = new ArrayList<>(List.of(Topology.itemQueue(operation), Topology.isolationQueue(operation),
                Topology.RESULTS_QUEUE, Topology.DEAD_RECORDER_QUEUE));
        Topology.RETRY_TIERS.forEach(tier -> queues.add(tier.exchange()));
        for (String queue : queues) {
            Properties properties = rabbitAdmin.getQueueProperties(queue);
            if (properties == null) {
                continue;
            }
            Object ready = properties.get(RabbitAdmin.QUEUE_MESSAGE_COUNT);
            if (ready instanceof Number n && n.longValue() > 0) {
                return true;
            }
        }
        return false;
    }
}
