package io.batchline.api.query;

import io.batchline.model.messaging.ItemError;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Read-only SQL behind the query endpoints; every list is keyset-paginated. */
@Component
public class BatchReader {

    static final String BATCH_COLUMNS = """
            id, operation, creator, status, status_reason, total, succeeded, failed, cancelled, timed_out,
            dispatched, crashed_items, created_at, started_at, completed_at, deadline, options::text, metadata::text,
            callback_url, callback_attempts, callback_status, callback_error, callback_delivered_at, callback_gave_up_at
            """;
    /** The callback's state, under names that cannot collide with the batch's columns. */
    static final String WITH_CALLBACK = """
             LEFT JOIN (SELECT batch_id AS callback_batch, url AS callback_url, attempts AS callback_attempts,
                               last_status AS callback_status, last_error AS callback_error,
                               delivered_at AS callback_delivered_at, gave_up_at AS callback_gave_up_at
                          FROM callback_outbox) cb ON cb.callback_batch = batches.id
            """;
    static final String ONE_BATCH = "SELECT " + BATCH_COLUMNS
            + " FROM batches" + WITH_CALLBACK + " WHERE id = :id";
    static final String BATCH_PAGE = "SELECT " + BATCH_COLUMNS + " FROM batches" + WITH_CALLBACK + """
            WHERE (CAST(:creator AS text) IS NULL OR creator = :creator)
              AND (CAST(:status AS text) IS NULL OR status = :status)
              AND (CAST(:operation AS text) IS NULL OR operation = :operation)
              AND (CAST(:createdFrom AS timestamptz) IS NULL OR created_at >= :createdFrom)
              AND (CAST(:createdTo AS timestamptz) IS NULL OR created_at < :createdTo)
              -- a batch id, or any top-level metadata value, exactly
              AND (CAST(:q AS text) IS NULL OR id::text = :q
                   OR EXISTS (SELECT 1 FROM jsonb_each_text(CASE WHEN jsonb_typeof(metadata) = 'object' THEN metadata END) m
                               WHERE m.value = :q))
              AND (CAST(:afterId AS uuid) IS NULL OR (created_at, id) < (:afterCreatedAt, :afterId))
            ORDER BY created_at DESC, id DESC
            LIMIT :limit
            """;
    /** An item's columns in the order {@link #item(ResultSet)} reads them. */
    static final String ITEM_COLUMNS = """
            seq, item_key, status, attempts, result::text, error_code, error_message, finished_at,
                   started_at, worker, running_attempt, crashes, retry_code, retry_message
            """;
    static final String ITEM_PAGE = "SELECT " + ITEM_COLUMNS + """
              FROM batch_items
             WHERE batch_id = :id
               AND (CAST(:status AS text) IS NULL OR status = :status)
               AND seq > :afterSeq
             ORDER BY seq
             LIMIT :limit
            """;
    static final String STATS = """
            SELECT status, count(*) AS batches, sum(succeeded) AS succeeded, sum(failed + timed_out) AS failed,
                   avg(extract(epoch FROM completed_at - started_at)) FILTER (WHERE completed_at IS NOT NULL) AS avg_seconds
              FROM batches
             WHERE (CAST(:tenant AS text) IS NULL OR creator = :tenant)
               AND (CAST(:since AS timestamptz) IS NULL OR created_at >= :since)
             GROUP BY status
            """;

    /** Several batches by id, as lists show them, with the round the progress streams' event ids need. */
    static final String SOME_BATCHES = "SELECT " + BATCH_COLUMNS + ", round FROM batches" + WITH_CALLBACK
            + " WHERE id = ANY(CAST(:ids AS uuid[]))";
    /** The running batches of a tenant (null: all), newest first; served by batches_by_status. */
    static final String ACTIVE_BATCHES = "SELECT " + BATCH_COLUMNS + ", round FROM batches" + WITH_CALLBACK + """
            WHERE status = ANY(CAST(:statuses AS text[]))
              AND (CAST(:creator AS text) IS NULL OR creator = :creator)
            ORDER BY created_at DESC, id DESC
            LIMIT :limit
            """;
    /** Just what says whether a batch moved: polled several times a second by the progress streams. */
    static final String PROGRESS = """
            SELECT id, status, round, succeeded + failed + cancelled + timed_out AS ended
              FROM batches WHERE id = ANY(CAST(:ids AS uuid[]))
            """;
    static final String COUNT_BY_STATUS = """
            SELECT status, count(*) AS batches FROM batches
             WHERE (CAST(:creator AS text) IS NULL OR creator = :creator)
             GROUP BY status
            """;

    private final JdbcClient jdbc;
    private final JsonMapper json;

    BatchReader(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    static final String CALLBACK_HISTORY = """
            SELECT attempt, at, status, error FROM callback_attempts WHERE batch_id = :id ORDER BY attempt DESC LIMIT 20
            """;

    /** One batch, with the history of its callback's delivery attempts (lists show only the summary). */
    public Optional<BatchView> batch(UUID id) {
        Instant now = Instant.now();
        return jdbc.sql(ONE_BATCH).param("id", id).query((rs, n) -> toView(rs, now)).optional().map(view -> {
            if (view.callback() == null) {
                return view;
            }
            List<BatchView.CallbackAttempt> history = jdbc.sql(CALLBACK_HISTORY).param("id", id)
                    .query((rs, n) -> new BatchView.CallbackAttempt(rs.getInt(1), rs.getTimestamp(2).toInstant(),
                            (Integer) rs.getObject(3), rs.getString(4)))
                    .list();
            BatchView.Callback c = view.callback();
            return view.withCallback(new BatchView.Callback(c.attempts(), c.lastStatus(), c.lastError(), c.deliveredAt(),
                    c.gaveUpAt(), history));
        });
    }

    Optional<String> creatorOf(UUID id) {
        return jdbc.sql("SELECT creator FROM batches WHERE id = :id").param("id", id).query(String.class).optional();
    }

    /**
     * What a list of batches may be narrowed to; null fields do not narrow.
     *
     * @param q a batch id or a top-level metadata value, matched exactly
     */
    public record ListFilter(@Nullable String creator, @Nullable String status, @Nullable String operation,
                             @Nullable Instant createdFrom, @Nullable Instant createdTo, @Nullable String q) {
    }

    public Page<BatchView> batches(@Nullable String creator, @Nullable String status, @Nullable String cursor, int limit) {
        return batches(new ListFilter(creator, status, null, null, null, null), cursor, limit);
    }

    public Page<BatchView> batches(ListFilter filter, @Nullable String cursor, int limit) {
        Cursor.BatchKey after = cursor == null ? null : Cursor.batch(cursor);
        Instant now = Instant.now();
        List<BatchView> rows = jdbc.sql(BATCH_PAGE)
                .param("creator", filter.creator())
                .param("status", filter.status())
                .param("operation", filter.operation())
                .param("createdFrom", filter.createdFrom() == null ? null : Timestamp.from(filter.createdFrom()))
                .param("createdTo", filter.createdTo() == null ? null : Timestamp.from(filter.createdTo()))
                .param("q", filter.q())
                .param("afterCreatedAt", after == null ? null : Timestamp.from(after.createdAt()))
                .param("afterId", after == null ? null : after.id())
                .param("limit", limit + 1)
                .query((rs, n) -> toView(rs, now))
                .list();
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        BatchView last = rows.get(limit - 1);
        return new Page<>(rows.subList(0, limit), Cursor.ofBatch(last.createdAt(), last.batchId()));
    }

    public Page<ItemView> items(UUID batchId, @Nullable String status, @Nullable String cursor, int limit) {
        int afterSeq = cursor == null ? -1 : Cursor.seq(cursor);
        List<ItemView> rows = jdbc.sql(ITEM_PAGE)
                .param("id", batchId)
                .param("status", status)
                .param("afterSeq", afterSeq)
                .param("limit", limit + 1)
                .query((rs, n) -> item(rs))
                .list();
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        return new Page<>(rows.subList(0, limit), Cursor.ofSeq(rows.get(limit - 1).seq()));
    }

    /** The item on the current row of a result set selecting {@link #ITEM_COLUMNS}: the page's and the export's mapping. */
    ItemView item(ResultSet rs) throws SQLException {
        return new ItemView(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                jsonOrNull(rs.getString(5)),
                rs.getString(6) == null ? null : new ItemError(rs.getString(6), String.valueOf(rs.getString(7))),
                instant(rs, 8), ItemView.Activity.of(rs.getString(3), instant(rs, 9), rs.getString(10),
                        (Integer) rs.getObject(11), rs.getInt(12), rs.getString(13), rs.getString(14)));
    }

    /** A batch as lists show it, with its retry round. */
    public record RoundView(BatchView view, int round) {
    }

    List<RoundView> byIds(java.util.Collection<UUID> ids) {
        Instant now = Instant.now();
        return jdbc.sql(SOME_BATCHES).param("ids", io.batchline.support.SqlArrays.of("uuid", ids.toArray(UUID[]::new)))
                .query((rs, n) -> new RoundView(toView(rs, now), rs.getInt("round"))).list();
    }

    public List<RoundView> withStatus(String[] statuses, @Nullable String creator, int limit) {
        Instant now = Instant.now();
        return jdbc.sql(ACTIVE_BATCHES).param("statuses", io.batchline.support.SqlArrays.of("text", statuses))
                .param("creator", creator).param("limit", limit)
                .query((rs, n) -> new RoundView(toView(rs, now), rs.getInt("round"))).list();
    }

    /** Status, round and ended items of each batch that exists, by id. */
    Map<UUID, BatchSnapshots.Progress> progress(java.util.Collection<UUID> ids) {
        Map<UUID, BatchSnapshots.Progress> progress = new java.util.HashMap<>();
        jdbc.sql(PROGRESS).param("ids", io.batchline.support.SqlArrays.of("uuid", ids.toArray(UUID[]::new))).query(rs -> {
            UUID id = rs.getObject("id", UUID.class);
            progress.put(id, new BatchSnapshots.Progress(rs.getString("status"), rs.getInt("round"), rs.getInt("ended")));
        });
        return progress;
    }

    Map<String, Long> countByStatus(@Nullable String creator) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        jdbc.sql(COUNT_BY_STATUS).param("creator", creator).query(rs -> {
            counts.put(rs.getString("status"), rs.getLong("batches"));
        });
        return counts;
    }

    /** Batches of a tenant (null: all), created at or after {@code since} (null: whenever). */
    public Map<String, Object> stats(@Nullable String tenant, @Nullable Instant since) {
        Map<String, Object> perStatus = new java.util.TreeMap<>();
        long[] totals = new long[3];
        double[] weightedSeconds = new double[2];
        jdbc.sql(STATS).param("tenant", tenant)
                .param("since", since == null ? null : Timestamp.from(since)).query(rs -> {
            long batches = rs.getLong("batches");
            perStatus.put(rs.getString("status"), batches);
            totals[0] += batches;
            totals[1] += rs.getLong("succeeded");
            totals[2] += rs.getLong("failed");
            double avg = rs.getDouble("avg_seconds");
            if (!rs.wasNull()) {
                weightedSeconds[0] += avg * batches;
                weightedSeconds[1] += batches;
            }
        });
        long itemsEnded = totals[1] + totals[2];
        Map<String, Object> stats = new java.util.LinkedHashMap<>();
        stats.put("since", since == null ? null : since.toString());
        stats.putAll(Map.of(
                "totalBatches", totals[0],
                "batchesByStatus", perStatus,
                "averageProcessingSeconds", weightedSeconds[1] == 0 ? 0.0 : weightedSeconds[0] / weightedSeconds[1],
                "successRate", itemsEnded == 0 ? 0.0 : (double) totals[1] / itemsEnded,
                "itemsSucceeded", totals[1],
                "itemsFailed", totals[2]));
        return stats;
    }

    private BatchView toView(ResultSet rs, Instant now) throws SQLException {
        return BatchView.of(rs.getObject("id", UUID.class), rs.getString("operation"), rs.getString("creator"),
                rs.getString("status"), rs.getString("status_reason"), rs.getInt("total"), rs.getInt("succeeded"),
                rs.getInt("failed"), rs.getInt("cancelled"), rs.getInt("timed_out"), rs.getInt("dispatched"), rs.getInt("crashed_items"),
                instant(rs, "created_at"), instant(rs, "started_at"), instant(rs, "completed_at"), instant(rs, "deadline"),
                json.readTree(rs.getString("options")), jsonOrNull(rs.getString("metadata")), now,
                rs.getString("callback_url") == null ? null : new BatchView.Callback(rs.getInt("callback_attempts"),
                        (Integer) rs.getObject("callback_status"), rs.getString("callback_error"),
                        instant(rs, "callback_delivered_at"), instant(rs, "callback_gave_up_at"), List.of()));
    }

    private @Nullable JsonNode jsonOrNull(@Nullable String text) {
        return text == null ? null : json.readTree(text);
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }

    private static @Nullable Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }
}
