package io.batchline.api.diagnosis;

import io.batchline.api.dispatch.ReconciliationSettings;
import io.batchline.api.support.StatusSql;
import io.batchline.model.messaging.Topology;
import io.batchline.model.ratelimit.RateLimitRules;
import io.batchline.model.status.BatchStatus;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Gathers what is known about a batch's unfinished items: the batch row, a few aggregates
 * over its pending items, the rate limit of its operation, and its operation's queues as the
 * broker counts them. Every item query reads pending items only, through an index: the
 * not-yet-dispatched count is a range of {@code batch_items_by_status (batch_id, status, seq)},
 * the rest reads {@code batch_items_attention}, which holds only the pending items the workers
 * said something about. So the cost follows the items in trouble, not the batch's size.
 */
@Component
class BatchFacts {

    /** Timestamps come from the database's clock, like every timestamp they are compared with. */
    static final String BATCH = """
            SELECT creator, operation, status, stop_status, status_reason, total, succeeded, failed, cancelled, timed_out,
                   dispatched, dispatch_owner, dispatch_lease_until, coalesce(dispatch_lease_until > now(), false) AS lease_held,
                   last_progress_at, crashed_items, reconciled_items, deadline,
                   coalesce(deadline < now(), false) AS deadline_passed,
                   coalesce(last_progress_at, started_at, created_at) < now() - make_interval(secs => :stuckSeconds) AS quiet,
                   (extract(epoch FROM now() - coalesce(last_progress_at, started_at, created_at)) * 1000)::bigint AS quiet_ms,
                   coalesce(options->>'continueOnError', 'true') = 'false' AS fail_fast,
                   (options->>'maxFailureRate')::float8 AS max_failure_rate,
                   now() AS checked_at
              FROM batches WHERE id = :id
            """;
    /** Pending items the broker never confirmed: a range scan of the status index. */
    static final String NOT_DISPATCHED = StatusSql.render("""
            SELECT count(*) FROM batch_items WHERE batch_id = :id AND status IN ({UNFINISHED_ITEMS}) AND seq >= :dispatched
            """);
    /** The predicate of the partial index {@code batch_items_attention} (V11), word for word. */
    private static final String NOTED = StatusSql.render(
            "batch_id = :id AND status IN ({UNFINISHED_ITEMS}) AND (started_at IS NOT NULL OR retry_tier IS NOT NULL OR crashes > 0)");
    static final String IN_FLIGHT = """
            SELECT count(*) FILTER (WHERE started_at IS NOT NULL) AS running,
                   min(started_at) AS oldest,
                   count(*) FILTER (WHERE started_at < now() - make_interval(secs => :timeoutSeconds)) AS past_timeout,
                   count(*) FILTER (WHERE crashes > 0) AS crashed,
                   array_agg(DISTINCT worker) FILTER (WHERE started_at IS NOT NULL AND worker IS NOT NULL) AS workers
              FROM batch_items WHERE
            """ + NOTED;
    /**
     * Items in delay tiers by tier and error. An item whose due time has passed was handed
     * back to the work queue: it waits there (or runs) until its next note or result.
     */
    static final String RETRY_TIERS = """
            SELECT retry_tier, retry_code, min(retry_message) AS message,
                   count(*) AS items,
                   count(*) FILTER (WHERE retry_due_at > now()) AS waiting,
                   min(retry_due_at) FILTER (WHERE retry_due_at > now()) AS next_due,
                   max(retry_due_at) AS last_due
              FROM batch_items WHERE
            """ + NOTED + """
             AND started_at IS NULL AND retry_tier IS NOT NULL
             GROUP BY retry_tier, retry_code
            """;
    private static final int MAX_WORKERS = 5;
    static final String OVERRIDE = "SELECT items, period_ms, burst FROM rate_limit_overrides WHERE operation = :operation";
    static final String ENVIRONMENT = "SELECT items, period_ms, burst FROM " + RateLimitRules.ENVIRONMENT_TABLE
            + " WHERE operation = :operation";

    /** The batch row as the diagnosis needs it. */
    record Batch(String creator, String operation, BatchStatus status, @Nullable String stopStatus, @Nullable String reason,
                 int total, Diagnosis.Counts counts, int dispatched, Diagnosis.DispatchLease lease,
                 @Nullable Instant lastProgressAt, int crashedItems, int reconciledItems, @Nullable Instant deadline,
                 boolean deadlinePassed, boolean quiet, Duration quietFor, boolean failFast, @Nullable Double maxFailureRate, Instant checkedAt) {
    }

    private final JdbcClient jdbc;
    private final BrokerQueues broker;
    private final DiagnosisSettings settings;
    private final ReconciliationSettings reconciliation;

    BatchFacts(JdbcClient jdbc, BrokerQueues broker, DiagnosisSettings settings, ReconciliationSettings reconciliation) {
        this.jdbc = jdbc;
        this.broker = broker;
        this.settings = settings;
        this.reconciliation = reconciliation;
    }

    Optional<Batch> batch(UUID id) {
        return jdbc.sql(BATCH).param("id", id).param("stuckSeconds", reconciliation.stuckAfter().toMillis() / 1000.0)
                .query((rs, n) -> {
                    Diagnosis.Counts counts = new Diagnosis.Counts(
                            rs.getInt("total") - rs.getInt("succeeded") - rs.getInt("failed") - rs.getInt("cancelled") - rs.getInt("timed_out"),
                            rs.getInt("succeeded"), rs.getInt("failed"), rs.getInt("cancelled"), rs.getInt("timed_out"));
                    Double maxFailureRate = rs.getObject("max_failure_rate", Double.class);
                    return new Batch(rs.getString("creator"), rs.getString("operation"),
                            BatchStatus.fromWireName(rs.getString("status")), rs.getString("stop_status"), rs.getString("status_reason"),
                            rs.getInt("total"), counts, rs.getInt("dispatched"),
                            new Diagnosis.DispatchLease(rs.getString("dispatch_owner"), instant(rs, "dispatch_lease_until"),
                                    rs.getBoolean("lease_held")),
                            instant(rs, "last_progress_at"), rs.getInt("crashed_items"), rs.getInt("reconciled_items"),
                            instant(rs, "deadline"), rs.getBoolean("deadline_passed"), rs.getBoolean("quiet"),
                            Duration.ofMillis(Math.max(0, rs.getLong("quiet_ms"))),
                            rs.getBoolean("fail_fast"), maxFailureRate, instant(rs, "checked_at"));
                }).optional();
    }

    /** The facts about {@code batch}: a few aggregate queries (none for an ended batch) and one read of the broker. */
    Diagnosis.Facts gather(UUID id, Batch batch) {
        boolean unfinished = batch.counts().pending() > 0;
        int notDispatched = unfinished && batch.dispatched() < batch.total()
                ? jdbc.sql(NOT_DISPATCHED).param("id", id).param("dispatched", batch.dispatched()).query(Integer.class).single()
                : 0;
        Diagnosis.InFlight inFlight = new Diagnosis.InFlight(0, null, 0, settings.handlerTimeout(), List.of());
        int crashedPending = 0;
        List<Diagnosis.RetryWait> tiers = List.of();
        if (unfinished) {
            record Noted(Diagnosis.InFlight inFlight, int crashed) {
            }
            Noted noted = jdbc.sql(IN_FLIGHT).param("id", id).param("timeoutSeconds", settings.handlerTimeout().toMillis() / 1000.0)
                    .query((rs, n) -> new Noted(new Diagnosis.InFlight(rs.getInt("running"), instant(rs, "oldest"),
                            rs.getInt("past_timeout"), settings.handlerTimeout(), strings(rs.getArray("workers"))),
                            rs.getInt("crashed"))).single();
            inFlight = noted.inFlight();
            crashedPending = noted.crashed();
            tiers = retryTiers(id);
        }
        String operation = batch.operation();
        List<QueueRole> roles = queuesOf(operation);
        BrokerQueues.Reading reading = broker.read(roles.stream().map(QueueRole::queue).toList());
        List<Diagnosis.Queue> queues = roles.stream().map(role -> {
            BrokerQueues.QueueCounts counts = reading.queues().get(role.queue());
            return counts == null
                    ? new Diagnosis.Queue(role.queue(), role.role(), null, null, null)
                    : new Diagnosis.Queue(role.queue(), role.role(), counts.ready(), counts.unacked(), counts.consumers());
        }).toList();
        return new Diagnosis.Facts(batch.total(), batch.counts(), notDispatched, batch.lease(), inFlight, tiers,
                new Diagnosis.Crashed(crashedPending, batch.crashedItems()),
                new Diagnosis.Failed(batch.counts().failed(), Topology.deadQueue(operation)),
                queues,
                new Diagnosis.Broker(reading.status(), reading.source(), reading.detail(),
                        "queue-wide: the broker counts messages per queue, for every batch of the operation, not per batch"),
                rateLimit(operation),
                new Diagnosis.Stop(batch.status() == BatchStatus.STOPPING, batch.stopStatus(), batch.reason(), batch.deadline(),
                        batch.deadlinePassed(), batch.failFast(), batch.maxFailureRate()),
                new Diagnosis.Sweep(batch.lastProgressAt(), batch.quietFor(), reconciliation.stuckAfter(), batch.quiet(), batch.reconciledItems()));
    }

    private List<Diagnosis.RetryWait> retryTiers(UUID id) {
        record Row(String tier, @Nullable String code, @Nullable String message, int items, int waiting,
                   @Nullable Instant nextDue, @Nullable Instant lastDue) {
        }
        List<Row> rows = jdbc.sql(RETRY_TIERS).param("id", id).query((rs, n) -> new Row(rs.getString("retry_tier"),
                rs.getString("retry_code"), rs.getString("message"), rs.getInt("items"), rs.getInt("waiting"),
                instant(rs, "next_due"), instant(rs, "last_due"))).list();
        Map<String, List<Row>> byTier = new LinkedHashMap<>();
        rows.forEach(row -> byTier.computeIfAbsent(row.tier(), t -> new ArrayList<>()).add(row));
        List<Diagnosis.RetryWait> tiers = new ArrayList<>();
        byTier.forEach((tier, errors) -> {
            Row top = errors.stream().max(Comparator.comparingInt(Row::items).thenComparing(r -> String.valueOf(r.code()),
                    Comparator.reverseOrder())).orElseThrow();
            tiers.add(new Diagnosis.RetryWait(tier, Topology.RETRY_TIERS.stream().filter(t -> t.name().equals(tier))
                    .map(Topology.RetryTier::exchange).findFirst().orElse("batch.retry." + tier),
                    errors.stream().mapToInt(Row::items).sum(),
                    errors.stream().mapToInt(Row::waiting).sum(),
                    errors.stream().map(Row::nextDue).filter(java.util.Objects::nonNull).min(Comparator.naturalOrder()).orElse(null),
                    errors.stream().map(Row::lastDue).filter(java.util.Objects::nonNull).max(Comparator.naturalOrder()).orElse(null),
                    new Diagnosis.TopError(top.code(), top.message(), top.items())));
        });
        // the tiers in their own order (1s, 5s, 30s, 2m), unknown names last
        List<String> order = Topology.RETRY_TIERS.stream().map(Topology.RetryTier::name).toList();
        tiers.sort(Comparator.comparingInt(t -> order.contains(t.tier()) ? order.indexOf(t.tier()) : order.size()));
        return tiers;
    }

    private Diagnosis.RateLimit rateLimit(String operation) {
        String metric = "batchline_worker_rate_limit_wait_seconds{operation=\"" + operation + "\"}";
        record Values(long items, long periodMs, long burst) {
        }
        Optional<Values> override = jdbc.sql(OVERRIDE).param("operation", operation)
                .query((rs, n) -> new Values(rs.getLong(1), rs.getLong(2), rs.getLong(3))).optional();
        String source = "override";
        Optional<Values> limit = override;
        if (limit.isEmpty()) {
            source = "env";
            try {
                limit = jdbc.sql(ENVIRONMENT).param("operation", operation)
                        .query((rs, n) -> new Values(rs.getLong(1), rs.getLong(2), rs.getLong(3))).optional();
            } catch (DataAccessException e) {
                // no worker has started against this database yet: no table, no environment limits
                limit = Optional.empty();
            }
        }
        if (limit.isEmpty()) {
            return new Diagnosis.RateLimit(operation, "none", null, null, null, null, metric);
        }
        Values values = limit.get();
        Duration period = Duration.ofMillis(values.periodMs());
        double perSecond = Math.round(RateLimitRules.itemsPerSecond(values.items(), period) * 1000) / 1000.0;
        return new Diagnosis.RateLimit(operation, source, values.items(), period, values.burst(), perSecond, metric);
    }

    /** A queue the batch's items or results may sit in, and what it is for. */
    record QueueRole(String queue, String role) {
    }

    static List<QueueRole> queuesOf(String operation) {
        List<QueueRole> queues = new ArrayList<>(List.of(
                new QueueRole(Topology.itemQueue(operation), "work"),
                new QueueRole(Topology.isolationQueue(operation), "isolation")));
        Topology.RETRY_TIERS.forEach(tier -> queues.add(new QueueRole(tier.exchange(), "retry")));
        queues.add(new QueueRole(Topology.deadQueue(operation), "dead"));
        queues.add(new QueueRole(Topology.RESULTS_QUEUE, "results"));
        queues.add(new QueueRole(Topology.RESULTS_DEAD_QUEUE, "results-dead-letters"));
        queues.add(new QueueRole(Topology.DEAD_RECORDER_QUEUE, "dead-letter-recorder"));
        queues.add(new QueueRole(Topology.UNRECORDED_QUEUE, "unrecorded"));
        return queues;
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp timestamp = rs.getTimestamp(column);
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static List<String> strings(@Nullable Array array) throws SQLException {
        // a handful of names is enough to point at the workers; the count says how many items
        return array == null ? List.of() : Arrays.stream((Object[]) array.getArray()).limit(MAX_WORKERS).map(String::valueOf).toList();
    }
}
