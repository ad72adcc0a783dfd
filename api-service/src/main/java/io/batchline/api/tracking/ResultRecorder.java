package io.batchline.api.tracking;

import io.batchline.api.callback.CallbackOutbox;
import io.batchline.api.control.BatchStopper;
import io.batchline.support.SqlArrays;
import io.batchline.api.support.StatusSql;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.status.BatchStatus;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records a chunk of item results with one set-based statement: an item takes its first
 * terminal result only, and the batch counters move by
 * exactly the rows that statement changed, so a result delivered twice changes nothing the
 * second time. Batches whose items are now all terminal are completed in the same
 * statement.
 */
@Component
class ResultRecorder {

    /**
     * An item takes a result only by a move the item state machine allows ({@code pending}
     * to a terminal status) and only in the round it is in; a stop's outcome ({@code
     * cancelled}, {@code timed_out}) only while its batch is stopping. Every terminal item
     * is final. A batch whose items have now all ended becomes terminal in the same
     * statement: {@code completed}, or the status its stop asked for.
     */
    static final String RECORD_RESULTS = StatusSql.render("""
            WITH incoming AS (
                SELECT * FROM unnest(?::uuid[], ?::int[], ?::int[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[])
                    AS r(batch_id, seq, round, status, attempts, result, error_code, error_message, finished_at)
            ), targets AS (
                -- carries the incoming values along, so the update below joins nothing else: a
                -- second join with incoming was planned as a nested loop over both (its generic
                -- plan expects 10 rows from an unnest), quadratic in the chunk's results
                SELECT i.batch_id, i.seq, r.status, r.attempts, r.result, r.error_code, r.error_message, r.finished_at
                  FROM batch_items i
                  JOIN incoming r ON i.batch_id = r.batch_id AND i.seq = r.seq AND i.round = r.round
                  JOIN batches b ON b.id = i.batch_id
                 WHERE (i.status, r.status) IN (VALUES {ITEM_ENDINGS})
                   AND (r.status IN ('succeeded', 'failed') OR b.status = 'stopping')
                 FOR UPDATE OF i
            ), changed AS (
                UPDATE batch_items i
                   SET status = t.status, attempts = t.attempts, result = t.result::jsonb,
                       error_code = t.error_code, error_message = t.error_message,
                       finished_at = t.finished_at::timestamptz
                  -- targets matched the round already: one chunk may hold a stale result of an earlier round too
                  FROM targets t
                 WHERE i.batch_id = t.batch_id AND i.seq = t.seq
                RETURNING i.batch_id, i.seq, i.status AS new_status, i.error_code, i.error_message
            ), audited AS (
                -- seed 001's "verify creator": an item refused for touching another owner's row
                -- is audited once, when its result is first recorded, under the batch's tenant
                INSERT INTO audit_log (tenant, action, target, details)
                SELECT b.creator, 'item.forbidden', c.batch_id::text,
                       jsonb_build_object('batchId', c.batch_id, 'seq', c.seq, 'operation', b.operation,
                                          'code', c.error_code, 'message', c.error_message)
                  FROM changed c JOIN batches b ON b.id = c.batch_id
                 WHERE c.error_code LIKE '%.forbidden'
            ), deltas AS (
                SELECT batch_id,
                       count(*) FILTER (WHERE new_status = 'succeeded') AS succeeded,
                       count(*) FILTER (WHERE new_status = 'failed')    AS failed,
                       count(*) FILTER (WHERE new_status = 'cancelled') AS cancelled,
                       count(*) FILTER (WHERE new_status = 'timed_out') AS timed_out,
                       count(*) AS ended
                  FROM changed GROUP BY batch_id
            )
            UPDATE batches b
               SET succeeded = b.succeeded + d.succeeded,
                   failed = b.failed + d.failed,
                   cancelled = b.cancelled + d.cancelled,
                   timed_out = b.timed_out + d.timed_out,
                   started_at = coalesce(b.started_at, now()),
                   last_progress_at = now(),
                   status = CASE
                       WHEN b.status IN ({ACTIVE}) AND b.succeeded + b.failed + b.cancelled + b.timed_out + d.ended = b.total
                           THEN CASE WHEN b.status = 'stopping' THEN b.stop_status ELSE 'completed' END
                       WHEN b.status = 'pending' THEN 'processing'
                       ELSE b.status END,
                   completed_at = CASE
                       WHEN b.status IN ({ACTIVE}) AND b.succeeded + b.failed + b.cancelled + b.timed_out + d.ended = b.total
                           THEN now()
                       ELSE b.completed_at END
              FROM deltas d
             WHERE b.id = d.batch_id
            RETURNING b.id, b.status, d.ended, extract(epoch FROM coalesce(b.completed_at, now()) - b.started_at),
                      b.total, b.succeeded + b.failed + b.cancelled + b.timed_out, b.succeeded, b.failed + b.timed_out,
                      b.operation, b.creator, b.dispatched < b.total
            """);

    /**
     * Batches among those just updated that must stop: fail-fast (continueOnError=false and
     * an item failed) or the failure-rate breaker (enough items ended and too many failed).
     */
    static final String TRIPPED = StatusSql.render("""
            SELECT id,
                   CASE WHEN (options->>'continueOnError')::boolean IS FALSE
                        THEN 'fail-fast: item failed and continueOnError is false'
                        ELSE 'failure-rate breaker: ' || failed || ' of ' || (succeeded + failed) || ' ended items failed (limit '
                             || (options->>'maxFailureRate') || ')' END
              FROM batches
             WHERE id = ANY(?::uuid[]) AND status IN ({STOPPABLE}) AND failed > 0
               AND ((options->>'continueOnError')::boolean IS FALSE
                    OR (options->>'maxFailureRate' IS NOT NULL
                        AND succeeded + failed >= coalesce((options->>'minItemsBeforeBreaker')::int, 100)
                        AND failed::float8 / (succeeded + failed) > (options->>'maxFailureRate')::float8))
            """);

    /**
     * What one chunk changed for one batch, and where the batch stands after it.
     *
     * @param secondsTaken from the batch's start to its end, or to now while it runs
     * @param endedItems   items of the batch that have ended, this chunk's included
     */
    record BatchChange(UUID batchId, String status, int itemsChanged, double secondsTaken, int total, int endedItems,
                       int succeeded, int failed, String operation, String tenant, boolean undispatched) {

        /** The 10 % step the batch crossed with this chunk, or -1 if it crossed none. */
        int progressStepCrossed() {
            int before = (endedItems - itemsChanged) * 10 / total;
            int after = endedItems * 10 / total;
            return after > before ? after * 10 : -1;
        }

        /** Whether this chunk made the batch terminal. */
        boolean ended() {
            return BatchStatus.fromWireName(status).isTerminal();
        }
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final BatchStopper stopper;
    private final CallbackOutbox callbacks;

    ResultRecorder(JdbcClient jdbc, JsonMapper json, BatchStopper stopper, CallbackOutbox callbacks) {
        this.callbacks = callbacks;
        this.jdbc = jdbc;
        this.json = json;
        this.stopper = stopper;
    }

    /**
     * Records the results and stops batches they tripped, in one transaction; returns what
     * changed per batch. The stops' control events are published by the stopper after commit.
     */
    @Transactional
    public List<BatchChange> record(List<ItemResult> results) {
        List<BatchChange> changes = recordResults(results);
        changes.stream().filter(BatchChange::ended).forEach(change -> callbacks.batchEnded(change.batchId()));
        UUID[] touched = changes.stream().map(BatchChange::batchId).toArray(UUID[]::new);
        if (touched.length > 0) {
            record Tripped(UUID batchId, String reason) {
            }
            List<Tripped> tripped = jdbc.sql(TRIPPED).params(List.<Object>of(SqlArrays.of("uuid", touched)))
                    .query((rs, row) -> new Tripped(rs.getObject(1, UUID.class), rs.getString(2)))
                    .list();
            tripped.forEach(t -> stopper.stop(t.batchId(), BatchStatus.FAILED, t.reason()));
        }
        return changes;
    }

    private List<BatchChange> recordResults(List<ItemResult> results) {
        int n = results.size();
        UUID[] batchIds = new UUID[n];
        Integer[] seqs = new Integer[n];
        Integer[] rounds = new Integer[n];
        String[] statuses = new String[n];
        Integer[] attempts = new Integer[n];
        String[] payloads = new String[n];
        String[] errorCodes = new String[n];
        String[] errorMessages = new String[n];
        String[] finishedAt = new String[n];
        for (int i = 0; i < n; i++) {
            ItemResult r = results.get(i);
            batchIds[i] = r.batchId();
            seqs[i] = r.seq();
            rounds[i] = r.round();
            statuses[i] = r.status().wireName();
            attempts[i] = r.attempt();
            payloads[i] = r.result() == null ? null : json.writeValueAsString(r.result());
            errorCodes[i] = r.error() == null ? null : r.error().code();
            errorMessages[i] = r.error() == null ? null : r.error().message();
            finishedAt[i] = r.finishedAt().toString();
        }
        return jdbc.sql(RECORD_RESULTS)
                .params(List.of(
                        SqlArrays.of("uuid", batchIds), SqlArrays.of("int4", seqs), SqlArrays.of("int4", rounds),
                        SqlArrays.of("text", statuses),
                        SqlArrays.of("int4", attempts), SqlArrays.of("text", payloads),
                        SqlArrays.of("text", errorCodes), SqlArrays.of("text", errorMessages),
                        SqlArrays.of("text", finishedAt)))
                .query((rs, row) -> new BatchChange(rs.getObject(1, UUID.class), rs.getString(2), rs.getInt(3), rs.getDouble(4),
                        rs.getInt(5), rs.getInt(6), rs.getInt(7), rs.getInt(8), rs.getString(9), rs.getString(10),
                        rs.getBoolean(11)))
                .list();
    }
}
