package io.batchline.api.health;

import io.batchline.api.submission.SubmissionLimits;
import io.batchline.model.operations.Operations;
import io.batchline.model.status.BatchStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The seed's batch metrics: {@code batch_operations_total{operation_type,status}} and
 * {@code batch_processing_duration_seconds{operation_type}}, one count and one observation
 * per batch ending.
 *
 * <p>Why each ending is counted once, whichever path ends the batch and however many API
 * instances run: the {@code batches_ending} trigger writes one {@code batch_endings} row in
 * the very transaction that moves a batch into a terminal status (a move the status guard
 * allows only once per round), and every instance drains that table with one
 * {@code DELETE ... FOR UPDATE SKIP LOCKED ... RETURNING} statement in autocommit: a row is
 * deleted by exactly one committed statement, and only the instance whose statement
 * committed counts it. Prometheus sums the instances.
 */
@Component
class BatchEndings {

    private static final Logger log = LoggerFactory.getLogger(BatchEndings.class);

    static final String DRAIN = """
            DELETE FROM batch_endings
             WHERE id IN (SELECT id FROM batch_endings ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED)
            RETURNING operation, status, seconds
            """;
    static final int CHUNK = 1000;
    /**
     * Bucket bounds in seconds: dense around the SlowBatchProcessing alert's 60 s so that
     * {@code histogram_quantile(0.95, ...)} lands on the right side of it.
     */
    static final double[] BUCKETS = {1, 5, 10, 30, 45, 60, 90, 120, 300, 600, 1800, 3600};

    private final JdbcClient jdbc;
    private final MeterRegistry meters;

    BatchEndings(JdbcClient jdbc, MeterRegistry meters, SubmissionLimits limits) {
        this.jdbc = jdbc;
        this.meters = meters;
        // every series exists from the start at 0, so rate() sees the first ending too
        for (String operation : Operations.names(limits.testOperations())) {
            timer(operation);
            for (BatchStatus status : BatchStatus.values()) {
                if (status.isTerminal()) {
                    counter(operation, status.wireName());
                }
            }
        }
    }

    @Scheduled(fixedDelayString = "${batch.health.endings-interval:2s}")
    void drainOnSchedule() {
        try {
            drain();
        } catch (RuntimeException e) {
            // the database is away: the rows wait for the next drain
            log.debug("Draining batch endings failed: {}", e.getMessage());
        }
    }

    /** Counts every ending not counted yet (by this or another instance); returns how many. */
    int drain() {
        int total = 0;
        int drained;
        do {
            record Ending(String operation, String status, double seconds) {
            }
            var endings = jdbc.sql(DRAIN).param("limit", CHUNK)
                    .query((rs, n) -> new Ending(rs.getString(1), rs.getString(2), rs.getDouble(3))).list();
            for (Ending ending : endings) {
                counter(ending.operation(), ending.status()).increment();
                timer(ending.operation()).record(Duration.ofNanos(Math.round(ending.seconds() * 1e9)));
            }
            drained = endings.size();
            total += drained;
        } while (drained == CHUNK);
        return total;
    }

    private Counter counter(String operation, String status) {
        return Counter.builder("batch.operations").description("batches that ended, by operation and terminal status")
                .tag("operation_type", operation).tag("status", status).register(meters);
    }

    private Timer timer(String operation) {
        return Timer.builder("batch.processing.duration")
                .description("from submission to the batch's terminal status (completed_at - created_at)")
                .tag("operation_type", operation)
                .serviceLevelObjectives(java.util.Arrays.stream(BUCKETS)
                        .mapToObj(s -> Duration.ofMillis(Math.round(s * 1000))).toArray(Duration[]::new))
                .register(meters);
    }
}
