package io.batchline.api.control;

import io.batchline.api.callback.CallbackOutbox;
import io.batchline.api.problem.BatchRejected;
import io.batchline.api.support.StatusSql;
import io.batchline.model.status.BatchStatus;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Starts a new attempt round for an ended batch's failed items: they go back to pending in
 * the next round, the failed counter drops by as many, and the batch runs again. The round
 * number travels with every item message, so nothing a worker remembers about the previous
 * round (a stop, say) applies to this one.
 */
@Component
class RetryRound {

    static final String LOCK_BATCH = "SELECT status, failed, round FROM batches WHERE id = :id FOR UPDATE";
    static final String RESET_FAILED_ITEMS = StatusSql.render("""
            WITH reset AS (
                UPDATE batch_items
                   SET status = 'pending', round = :round, result = NULL, error_code = NULL,
                       error_message = NULL, finished_at = NULL,
                       -- a new round's activity starts empty; how often it crashed stays
                       started_at = NULL, worker = NULL, running_attempt = NULL, crashed_attempt = NULL,
                       retry_code = NULL, retry_message = NULL
                 WHERE batch_id = :id AND status IN ({RETRIABLE_ITEMS})
                RETURNING 1
            )
            UPDATE batches
               SET round = :round, failed = failed - (SELECT count(*) FROM reset),
                   status = 'processing', status_reason = NULL, stop_status = NULL, completed_at = NULL,
                   dispatched = 0, published_below = 0, last_progress_at = now(),
                   -- the new round's window counts only its own items (the re-opened failed ones)
                   round_published = 0,
                   round_ended_base = succeeded + failed - (SELECT count(*) FROM reset) + cancelled + timed_out,
                   deadline = CASE WHEN options->>'timeoutSeconds' IS NOT NULL
                                   THEN now() + make_interval(secs => (options->>'timeoutSeconds')::int) END
             WHERE id = :id
            RETURNING (SELECT count(*) FROM reset)
            """);

    private final JdbcClient jdbc;
    private final CallbackOutbox callbacks;

    RetryRound(JdbcClient jdbc, CallbackOutbox callbacks) {
        this.callbacks = callbacks;
        this.jdbc = jdbc;
    }

    /** Returns how many items were put back; refuses (409) a batch that has not ended or has no failures. */
    @Transactional
    int start(UUID batchId) {
        record State(BatchStatus status, int failed, int round) {
        }
        State state = jdbc.sql(LOCK_BATCH).param("id", batchId)
                .query((rs, n) -> new State(BatchStatus.fromWireName(rs.getString(1)), rs.getInt(2), rs.getInt(3)))
                .optional()
                .orElseThrow(() -> BatchRejected.notFound("batch " + batchId));
        if (!state.status().isTerminal()) {
            throw new BatchRejected(HttpStatus.CONFLICT, "batch-running", "Batch still running",
                    "batch " + batchId + " is still " + state.status().wireName() + "; retry its failed items once it has ended",
                    Map.of("status", state.status().wireName()));
        }
        if (state.failed() == 0) {
            throw new BatchRejected(HttpStatus.CONFLICT, "nothing-to-retry", "Nothing to retry",
                    "batch " + batchId + " has no failed items", Map.of());
        }
        callbacks.batchReopened(batchId);
        return jdbc.sql(RESET_FAILED_ITEMS).param("round", state.round() + 1).param("id", batchId)
                .query(Integer.class).single();
    }
}
