package io.batchline.api.health;

import io.batchline.api.support.StatusSql;
import io.batchline.model.status.BatchStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Assembles the health answer from three aggregate queries (counts per status; the batches
 * that ended in the window, through the {@code batches_ended} index; relation sizes from
 * the catalog) and the last broker snapshot. One answer per tenant scope is reused for
 * {@code cacheFor}, so a dashboard polling every second costs one query round per few seconds.
 */
@Component
class HealthReport {

    static final String COUNTS = """
            SELECT status, count(*) FROM batches
             WHERE CAST(:tenant AS text) IS NULL OR creator = :tenant
             GROUP BY status
            """;
    static final String RECENT = StatusSql.render("""
            SELECT count(*) AS ended,
                   count(*) FILTER (WHERE status IN (:failures)) AS failed_batches,
                   coalesce(sum(succeeded), 0) AS succeeded,
                   coalesce(sum(failed + timed_out), 0) AS failed,
                   coalesce(sum(succeeded + failed + cancelled + timed_out), 0) AS items_ended,
                   avg(extract(epoch FROM completed_at - created_at)) AS avg_seconds
              FROM batches
             WHERE status IN ({TERMINAL}) AND completed_at >= :since
               AND (CAST(:tenant AS text) IS NULL OR creator = :tenant)
            """);
    /** The tables that grow with batches; {@code to_regclass} keeps the query valid if one is renamed. */
    static final String SIZES = """
            SELECT t.name, sum(pg_total_relation_size(r.oid))::bigint, sum(pg_indexes_size(r.oid))::bigint
              FROM unnest(string_to_array(:tables, ',')) WITH ORDINALITY AS t(name, n)
              JOIN pg_class c ON c.oid = to_regclass(t.name)
              -- a partitioned table (batch_items) has no storage: its partitions do
              CROSS JOIN LATERAL (SELECT relid FROM pg_partition_tree(c.oid) WHERE c.relkind = 'p'
                                  UNION ALL SELECT c.oid WHERE c.relkind <> 'p') AS r(oid)
             GROUP BY t.name, t.n
             ORDER BY t.n
            """;
    static final List<String> BATCH_TABLES = List.of("batches", "batch_items", "callback_outbox", "callback_attempts",
            "batch_endings", "removed_batch_items");
    /** Batch statuses that count as a failed batch: cancelled is the client's choice, not a failure. */
    static final List<String> FAILURES = List.of(BatchStatus.FAILED.wireName(), BatchStatus.TIMED_OUT.wireName());

    private final JdbcClient jdbc;
    private final BrokerResources broker;
    private final HealthSettings settings;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Instant at, Map<String, Object> report) {
    }

    HealthReport(JdbcClient jdbc, BrokerResources broker, HealthSettings settings) {
        this.jdbc = jdbc;
        this.broker = broker;
        this.settings = settings;
    }

    /** The answer for a tenant ({@code null}: every tenant, with the shared resources). */
    Map<String, Object> report(@Nullable String tenant) {
        Instant now = Instant.now();
        String key = tenant == null ? "" : "t:" + tenant;
        Cached cached = cache.get(key);
        if (cached != null && cached.at().plus(settings.cacheFor()).isAfter(now)) {
            return cached.report();
        }
        Map<String, Object> report = build(tenant, now);
        cache.put(key, new Cached(now, report));
        if (cache.size() > 10_000) {
            cache.clear(); // many tenants polling: never let the cache grow without bound
        }
        return report;
    }

    void forget() {
        cache.clear();
    }

    private Map<String, Object> build(@Nullable String tenant, Instant now) {
        Map<String, Long> counts = new LinkedHashMap<>();
        long total = 0;
        for (BatchStatus status : BatchStatus.values()) {
            counts.put(status.wireName(), 0L);
        }
        for (Map.Entry<String, Long> row : jdbc.sql(COUNTS).param("tenant", tenant)
                .query((rs, n) -> Map.entry(rs.getString(1), rs.getLong(2))).list()) {
            counts.put(row.getKey(), row.getValue());
            total += row.getValue();
        }
        Map<String, Object> batchOperations = new LinkedHashMap<>();
        batchOperations.put("total", total);
        batchOperations.putAll(counts);

        Instant since = now.minus(settings.window());
        Map<String, Object> performance = jdbc.sql(RECENT).param("failures", FAILURES)
                .param("since", java.sql.Timestamp.from(since)).param("tenant", tenant)
                .query(rs -> {
                    rs.next();
                    long ended = rs.getLong("ended");
                    long succeeded = rs.getLong("succeeded");
                    long failed = rs.getLong("failed");
                    double avg = rs.getDouble("avg_seconds");
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("window", settings.window().toString());
                    p.put("batchesEnded", ended);
                    p.put("avgProcessingTimeMs", rs.wasNull() ? null : Math.round(avg * 1000));
                    p.put("successRate", succeeded + failed == 0 ? null : (double) succeeded / (succeeded + failed));
                    p.put("failureRate", succeeded + failed == 0 ? null : (double) failed / (succeeded + failed));
                    p.put("batchFailureRate", ended == 0 ? null : (double) rs.getLong("failed_batches") / ended);
                    p.put("throughputItemsPerSecond", rs.getLong("items_ended") / (double) Math.max(1, settings.window().toSeconds()));
                    return p;
                });

        Map<String, Object> report = new LinkedHashMap<>();
        String status = "healthy";
        if (tenant == null) {
            Map<String, Object> resources = resources(now);
            if (!"ok".equals(((Map<?, ?>) resources.get("broker")).get("status"))) {
                status = "degraded";
            }
            report.put("status", status);
            report.put("timestamp", now.toString());
            report.put("scope", "all");
            report.put("batchOperations", batchOperations);
            report.put("performance", performance);
            report.put("resources", resources);
        } else {
            BrokerResources.Snapshot snapshot = broker.last();
            report.put("status", fresh(snapshot, now) ? status : "degraded");
            report.put("timestamp", now.toString());
            report.put("scope", tenant);
            report.put("batchOperations", batchOperations);
            report.put("performance", performance);
        }
        return report;
    }

    private Map<String, Object> resources(Instant now) {
        List<Map<String, Object>> tables = jdbc.sql(SIZES).param("tables", String.join(",", BATCH_TABLES))
                .query((rs, n) -> {
                    Map<String, Object> table = new LinkedHashMap<>();
                    table.put("table", rs.getString(1));
                    table.put("totalBytes", rs.getLong(2));
                    table.put("indexBytes", rs.getLong(3));
                    return table;
                }).list();
        Map<String, Object> database = new LinkedHashMap<>();
        database.put("totalBytes", tables.stream().mapToLong(t -> (Long) t.get("totalBytes")).sum());
        database.put("indexBytes", tables.stream().mapToLong(t -> (Long) t.get("indexBytes")).sum());
        database.put("tables", tables);

        BrokerResources.Snapshot snapshot = broker.last();
        Map<String, Object> brokerPart = new LinkedHashMap<>();
        if (fresh(snapshot, now)) {
            brokerPart.put("status", "ok");
            brokerPart.put("readAt", snapshot.readAt().toString());
            brokerPart.put("itemQueues", snapshot.itemQueues());
            brokerPart.put("otherQueues", snapshot.otherQueues());
            brokerPart.put("itemsQueued", snapshot.itemQueues().stream().mapToLong(BrokerResources.QueueDepth::messages).sum());
            brokerPart.put("workerConsumers", snapshot.itemQueues().stream().mapToLong(BrokerResources.QueueDepth::consumers).sum());
        } else {
            brokerPart.put("status", "unknown");
            brokerPart.put("readAt", snapshot.readAt() == null ? null : snapshot.readAt().toString());
            brokerPart.put("error", snapshot.error() == null ? "queue depths are stale" : snapshot.error());
        }
        Map<String, Object> resources = new LinkedHashMap<>();
        resources.put("database", database);
        resources.put("broker", brokerPart);
        return resources;
    }

    private boolean fresh(BrokerResources.Snapshot snapshot, Instant now) {
        return snapshot.error() == null && snapshot.readAt() != null
                && snapshot.readAt().plus(settings.brokerStaleAfter()).isAfter(now);
    }
}
