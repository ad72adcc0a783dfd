package io.batchline.api.ratelimit;

import io.batchline.api.security.AuditTrail;
import io.batchline.api.security.Caller;
import io.batchline.model.ratelimit.RateLimitRules;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The rate limits as the API sees them: the admin's overrides ({@code rate_limit_overrides},
 * this service's table, which every worker reads every few seconds) and the environment's
 * limits ({@code worker.rate_limit_defaults}, written by each worker at start-up). Changes are
 * audited in the transaction that makes them.
 */
@Component
class RateLimitStore {

    static final String OVERRIDES = """
            SELECT operation, items, period_ms, burst, updated_at, updated_by FROM rate_limit_overrides
             WHERE CAST(:operation AS text) IS NULL OR operation = :operation
            """;
    static final String ENVIRONMENT = "SELECT operation, items, period_ms, burst, reported_at FROM "
            + RateLimitRules.ENVIRONMENT_TABLE + " WHERE CAST(:operation AS text) IS NULL OR operation = :operation";
    static final String LOCK_OVERRIDE = "SELECT items, period_ms, burst FROM rate_limit_overrides WHERE operation = :operation FOR UPDATE";
    static final String PUT_OVERRIDE = """
            INSERT INTO rate_limit_overrides (operation, items, period_ms, burst, updated_by, updated_by_key)
            VALUES (:operation, :items, :periodMs, :burst, :updatedBy, :keyId)
            ON CONFLICT (operation) DO UPDATE
               SET items = excluded.items, period_ms = excluded.period_ms, burst = excluded.burst,
                   updated_at = now(), updated_by = excluded.updated_by, updated_by_key = excluded.updated_by_key
            """;
    static final String DELETE_OVERRIDE = "DELETE FROM rate_limit_overrides WHERE operation = :operation RETURNING items, period_ms, burst";

    /** PostgreSQL's "relation does not exist" and "schema does not exist": no worker has started yet. */
    private static final Set<String> MISSING_TABLE = Set.of("42P01", "3F000");

    private final JdbcClient jdbc;
    private final AuditTrail audit;

    RateLimitStore(JdbcClient jdbc, AuditTrail audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    /** An admin's override with who set it and when. */
    record Override(Limit limit, Instant updatedAt, String updatedBy) {
    }

    /** A limit of {@code WORKER_RATE_LIMITS} as a worker reported it at its start. */
    record Environment(Limit limit, Instant reportedAt) {
    }

    /** The overrides by operation; {@code operation} null for all of them. */
    Map<String, Override> overrides(@Nullable String operation) {
        Map<String, Override> overrides = new TreeMap<>();
        jdbc.sql(OVERRIDES).param("operation", operation).query(rs -> {
            overrides.put(rs.getString("operation"), new Override(
                    Limit.ofMillis(rs.getLong("items"), rs.getLong("period_ms"), rs.getLong("burst")),
                    rs.getTimestamp("updated_at").toInstant(), rs.getString("updated_by")));
        });
        return overrides;
    }

    /** The environment's limits by operation; none while no worker has ever started against this database. */
    Map<String, Environment> environment(@Nullable String operation) {
        Map<String, Environment> limits = new TreeMap<>();
        try {
            jdbc.sql(ENVIRONMENT).param("operation", operation).query(rs -> {
                limits.put(rs.getString("operation"), new Environment(
                        Limit.ofMillis(rs.getLong("items"), rs.getLong("period_ms"), rs.getLong("burst")),
                        rs.getTimestamp("reported_at").toInstant()));
            });
        } catch (DataAccessException e) {
            if (!isMissingTable(e)) {
                throw e;
            }
        }
        return limits;
    }

    /** Sets the operation's override (audited); returns the override it replaced. */
    @Transactional
    Optional<Limit> put(String operation, Limit limit, Caller caller) {
        Optional<Limit> previous = jdbc.sql(LOCK_OVERRIDE).param("operation", operation)
                .query((rs, n) -> Limit.ofMillis(rs.getLong(1), rs.getLong(2), rs.getLong(3))).optional();
        jdbc.sql(PUT_OVERRIDE).param("operation", operation).param("items", limit.items())
                .param("periodMs", limit.period().toMillis()).param("burst", limit.burst())
                .param("updatedBy", caller.tenant()).param("keyId", caller.keyId())
                .update();
        Map<String, Object> details = describe(limit);
        details.put("previous", previous.map(RateLimitStore::describe).orElse(null));
        audit.record(caller, "rate-limit.changed", operation, details);
        return previous;
    }

    /** Removes the operation's override (audited, even when there was none); returns what was removed. */
    @Transactional
    Optional<Limit> reset(String operation, Caller caller) {
        Optional<Limit> removed = jdbc.sql(DELETE_OVERRIDE).param("operation", operation)
                .query((rs, n) -> Limit.ofMillis(rs.getLong(1), rs.getLong(2), rs.getLong(3))).optional();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("removed", removed.map(RateLimitStore::describe).orElse(null));
        audit.record(caller, "rate-limit.reset", operation, details);
        return removed;
    }

    private static Map<String, Object> describe(Limit limit) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("items", limit.items());
        values.put("period", limit.period().toString());
        values.put("burst", limit.burst());
        return values;
    }

    private static boolean isMissingTable(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null && MISSING_TABLE.contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
