package io.batchline.api.query;

import io.batchline.api.support.StatusSql;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Backlog gauges for dashboards and alerts: unfinished batches by status and the items
 * they still wait for, and seed 000's {@code batch_pending_operations}. Refreshed on a schedule from one small query, so a scrape never
 * touches the database.
 */
@Component
class BacklogGauges {

    static final String BACKLOG = StatusSql.render("""
            SELECT count(*) FILTER (WHERE status = 'pending') AS pending_batches,
                   count(*) FILTER (WHERE status = 'processing') AS processing_batches,
                   count(*) FILTER (WHERE status = 'stopping') AS stopping_batches,
                   coalesce(sum(total - succeeded - failed - cancelled - timed_out), 0) AS pending_items
              FROM batches WHERE status IN ({ACTIVE})
            """);

    private final JdbcClient jdbc;
    private final AtomicLong pendingBatches = new AtomicLong();
    private final AtomicLong processingBatches = new AtomicLong();
    private final AtomicLong stoppingBatches = new AtomicLong();
    private final AtomicLong pendingItems = new AtomicLong();

    BacklogGauges(JdbcClient jdbc, MeterRegistry meters) {
        this.jdbc = jdbc;
        Gauge.builder("batchline.batches", pendingBatches, AtomicLong::get).tag("status", "pending").register(meters);
        Gauge.builder("batchline.batches", processingBatches, AtomicLong::get).tag("status", "processing").register(meters);
        Gauge.builder("batchline.batches", stoppingBatches, AtomicLong::get).tag("status", "stopping").register(meters);
        Gauge.builder("batchline.items.pending", pendingItems, AtomicLong::get).register(meters);
        // seed 000's name for its LargePendingQueue alert: batches not started or running (its
        // 'pending' and 'processing'), from the same query
        Gauge.builder("batch.pending.operations", () -> pendingBatches.get() + processingBatches.get())
                .description("batches pending or processing").register(meters);
    }

    @Scheduled(fixedDelayString = "${batch.metrics.backlog-interval:15s}")
    void refresh() {
        try {
            jdbc.sql(BACKLOG).query(rs -> {
                pendingBatches.set(rs.getLong(1));
                processingBatches.set(rs.getLong(2));
                stoppingBatches.set(rs.getLong(3));
                pendingItems.set(rs.getLong(4));
            });
        } catch (RuntimeException e) {
            // the database being away shows on /actuator/health; the gauges keep their last value
        }
    }
}
