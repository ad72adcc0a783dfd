package io.batchline.api.console;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The console's own reads: what the JSON API has no endpoint for. */
@Component
class ConsoleReads {

    /** The failed items of a batch grouped by error code, most frequent first (on the (batch_id, status, seq) index). */
    static final String TOP_ERRORS = """
            SELECT error_code, count(*) AS items, min(error_message) AS example, min(seq) AS first_seq
              FROM batch_items
             WHERE batch_id = :id AND status = 'failed'
             GROUP BY error_code
             ORDER BY count(*) DESC, error_code
             LIMIT 10
            """;
    /** Batches of the scope with failed items, most recently active first. */
    static final String RECENT_FAILURES = """
            SELECT id, operation, creator, status, failed + timed_out AS failures, total, coalesce(last_progress_at, created_at) AS at
              FROM batches
             WHERE failed + timed_out > 0 AND (CAST(:tenant AS text) IS NULL OR creator = :tenant)
             ORDER BY coalesce(last_progress_at, created_at) DESC
             LIMIT 8
            """;
    static final String OPERATIONS = "SELECT DISTINCT operation FROM batches WHERE CAST(:tenant AS text) IS NULL OR creator = :tenant ORDER BY 1";

    record TopError(@Nullable String code, long items, @Nullable String example, int firstSeq) {
    }

    record RecentFailure(UUID batchId, String operation, String creator, String status, int failures, int total,
                         java.time.Instant at) {
    }

    private final JdbcClient jdbc;

    ConsoleReads(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<TopError> topErrors(UUID batchId) {
        return jdbc.sql(TOP_ERRORS).param("id", batchId)
                .query((rs, n) -> new TopError(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getInt(4))).list();
    }

    List<RecentFailure> recentFailures(@Nullable String tenant) {
        return jdbc.sql(RECENT_FAILURES).param("tenant", tenant)
                .query((rs, n) -> new RecentFailure(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getInt(5), rs.getInt(6), rs.getTimestamp(7).toInstant())).list();
    }

    List<String> operations(@Nullable String tenant) {
        return jdbc.sql(OPERATIONS).param("tenant", tenant).query(String.class).list();
    }
}
