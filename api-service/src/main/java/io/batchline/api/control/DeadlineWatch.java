package io.batchline.api.control;

import io.batchline.api.support.StatusSql;
import io.batchline.model.status.BatchStatus;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Times out batches whose deadline ({@code options.timeoutSeconds}) has passed: they stop
 * towards {@code timed_out}, and their items that had not started end {@code timed_out}. Any API instance may do it; the stop is a
 * conditional update, so two instances never stop a batch twice.
 */
@Component
class DeadlineWatch {

    private static final Logger log = LoggerFactory.getLogger(DeadlineWatch.class);

    static final String EXPIRED = StatusSql.render("""
            SELECT id FROM batches
             WHERE deadline IS NOT NULL AND deadline < now() AND status IN ({STOPPABLE})
             ORDER BY deadline LIMIT 100
            """);

    private final JdbcClient jdbc;
    private final BatchStopper stopper;

    DeadlineWatch(JdbcClient jdbc, BatchStopper stopper) {
        this.jdbc = jdbc;
        this.stopper = stopper;
    }

    @Scheduled(fixedDelayString = "${batch.deadline-check-interval:1s}")
    void timeOutExpiredBatches() {
        try {
            for (UUID id : jdbc.sql(EXPIRED).query(UUID.class).list()) {
                stopper.stop(id, BatchStatus.TIMED_OUT, "deadline passed before every item ended");
            }
        } catch (RuntimeException e) {
            log.debug("Deadline check failed: {}", e.getMessage());
        }
    }
}
