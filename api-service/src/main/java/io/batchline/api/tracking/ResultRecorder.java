package io.batchline.api.tracking;

import io.batchline.model.messaging.ItemResult;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records a chunk of item results with one set-based statement: an item takes its first
 * terminal result only ({@code WHERE status = 'pending'}), and the batch counters move by
 * exactly the rows that statement changed, so a result delivered twice changes nothing the
 * second time. Batches whose items are now all terminal are completed in the same
 * statement.
 */
@Component
class ResultRecorder {

    static final String RECORD_RESULTS = """
            WITH incoming AS (
                SELECT * FROM unnest(?::uuid[], ?::int[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[])
                    AS r(batch_id, seq, status, attempts, result, error_code, error_message, finished_at)
            ), changed AS (
                UPDATE batch_items i
                   SET status = r.status, attempts = r.attempts, result = r.result::jsonb,
                       error_code = r.error_code, error_message = r.error_message,
                       finished_at = r.finished_at::timestamptz
                  FROM incoming r
                 WHERE i.batch_id = r.batch_id AND i.seq = r.seq AND i.status = 'pending'
                RETURNING i.batch_id, i.status
            ), deltas AS (
                SELECT batch_id,
                       count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
                       count(*) FILTER (WHERE status = 'failed')    AS failed,
                       count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
                       count(*) FILTER (WHERE status = 'timed_out') AS timed_out,
                       count(*) AS ended
                  FROM changed GROUP BY batch_id
            )
            UPDATE batches b
               SET succeeded = b.succeeded + d.succeeded,
                   failed = b.failed + d.failed,
                   cancelled = b.cancelled + d.cancelled,
                   timed_out = b.timed_out + d.timed_out,
                   started_at = coalesce(b.started_at, now()),
                   status = CASE
                       WHEN b.status IN ('pending', 'processing')
                        AND b.succeeded + b.failed + b.cancelled + b.timed_out + d.ended = b.total THEN 'completed'
                       WHEN b.status = 'pending' THEN 'processing'
                       ELSE b.status END,
                   completed_at = CASE
                       WHEN b.status IN ('pending', 'processing')
                        AND b.succeeded + b.failed + b.cancelled + b.timed_out + d.ended = b.total THEN now()
                       ELSE b.completed_at END
              FROM deltas d
             WHERE b.id = d.batch_id
            RETURNING b.id, b.status, d.ended, extract(epoch FROM b.completed_at - b.started_at)
            """;

    /** What one chunk changed for one batch. */
    record BatchChange(UUID batchId, String status, int itemsEnded, double secondsTaken) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;

    ResultRecorder(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    @Transactional
    public List<BatchChange> record(List<ItemResult> results) {
        int n = results.size();
        UUID[] batchIds = new UUID[n];
        Integer[] seqs = new Integer[n];
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
            statuses[i] = r.status().wireName();
            attempts[i] = r.attempt();
            payloads[i] = r.result() == null ? null : json.writeValueAsString(r.result());
            errorCodes[i] = r.error() == null ? null : r.error().code();
            errorMessages[i] = r.error() == null ? null : r.error().message();
            finishedAt[i] = r.finishedAt().toString();
        }
        return jdbc.sql(RECORD_RESULTS)
                .params(List.of(
                        new TypedArray("uuid", batchIds), new TypedArray("int4", seqs), new TypedArray("text", statuses),
                        new TypedArray("int4", attempts), new TypedArray("text", payloads),
                        new TypedArray("text", errorCodes), new TypedArray("text", errorMessages),
                        new TypedArray("text", finishedAt)))
                .query((rs, row) -> new BatchChange(rs.getObject(1, UUID.class), rs.getString(2), rs.getInt(3), rs.getDouble(4)))
                .list();
    }

    /** A Java array bound as a SQL array of the named element type. */
    record TypedArray(String elementType, Object[] values) implements org.springframework.jdbc.core.SqlTypeValue {

        @Override
        public void setTypeValue(java.sql.PreparedStatement ps, int index, int sqlType, String typeName) throws SQLException {
            Connection connection = ps.getConnection();
            Array array = connection.createArrayOf(elementType, values);
            ps.setArray(index, array);
        }
    }
}
