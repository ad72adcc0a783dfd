package io.batchline.worker.ratelimit;

import io.batchline.model.ratelimit.RateLimitRules;
import io.batchline.support.SqlArrays;
import io.batchline.worker.consumption.WorkerSettings;
import java.net.InetAddress;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps the worker's rate limits in step with the admin's overrides. At start-up, before
 * any consumer runs, it reports {@code WORKER_RATE_LIMITS} to {@code worker.rate_limit_defaults}
 * (so the admin API can show what a reset returns to) and puts the environment's limits,
 * overridden by {@code public.rate_limit_overrides}, in force. Then every
 * {@code WORKER_RATE_LIMIT_REFRESH} (2 s) it reads the overrides again (one SELECT of a
 * handful of rows) and applies what changed, so a change made through the API holds on
 * every replica within about that interval.
 * <p>
 * The API's migrations create the overrides table; until they have run, there are no
 * overrides. When the database cannot be read, the limits in force stay as they are.
 */
@Component
class RateLimitRefresh {

    private static final Logger log = LoggerFactory.getLogger(RateLimitRefresh.class);

    static final String OVERRIDES = "SELECT operation, items, period_ms, burst FROM " + RateLimitRules.OVERRIDES_TABLE;
    static final String FORGET_ENVIRONMENT = "DELETE FROM " + RateLimitRules.ENVIRONMENT_TABLE;
    static final String REPORT_ENVIRONMENT = "INSERT INTO " + RateLimitRules.ENVIRONMENT_TABLE + """
             (operation, items, period_ms, burst, reported_by)
            SELECT operation, items, period_ms, burst, :reportedBy
              FROM unnest(CAST(:operations AS text[]), CAST(:items AS bigint[]), CAST(:periods AS bigint[]),
                          CAST(:bursts AS bigint[])) AS e(operation, items, period_ms, burst)
            """;

    /** PostgreSQL's "relation does not exist" and "schema does not exist". */
    private static final Set<String> MISSING_TABLE = Set.of("42P01", "3F000");

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final GlobalRateLimiter limiter;
    private final Map<String, RateLimit> environment;
    private volatile boolean environmentReported;
    private volatile boolean toldNoTable;
    private volatile boolean readFailing;

    RateLimitRefresh(JdbcClient jdbc, TransactionTemplate transactions, GlobalRateLimiter limiter, WorkerSettings settings) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.limiter = limiter;
        this.environment = RateLimit.parse(settings.rateLimits());
        refresh();
    }

    /** Reads the overrides and puts what changed in force; also reports the environment until that succeeded once. */
    @Scheduled(fixedDelayString = "${worker.rate-limit-refresh:2s}", initialDelayString = "${worker.rate-limit-refresh:2s}")
    void refresh() {
        if (!environmentReported) {
            reportEnvironment();
        }
        Map<String, RateLimit> overrides;
        try {
            overrides = readOverrides();
        } catch (DataAccessException e) {
            if (!isMissingTable(e)) {
                if (!readFailing) {
                    readFailing = true;
                    log.warn("Could not read the rate limit overrides ({}); the limits in force stay as they are", e.getMessage());
                }
                // at start-up, with nothing in force yet, the environment's limits are better than none
                if (!limiter.current().limits().isEmpty() || environment.isEmpty()) {
                    return;
                }
            } else if (!toldNoTable) {
                toldNoTable = true;
                log.info("No {} yet (the API's migrations create it): running on WORKER_RATE_LIMITS alone",
                        RateLimitRules.OVERRIDES_TABLE);
            }
            overrides = Map.of();
        }
        readFailing = false;
        limiter.apply(EffectiveLimits.of(environment, overrides));
    }

    private Map<String, RateLimit> readOverrides() {
        Map<String, RateLimit> overrides = new LinkedHashMap<>();
        jdbc.sql(OVERRIDES).query(rs -> {
            String operation = rs.getString("operation");
            try {
                overrides.put(operation, new RateLimit(operation, rs.getLong("items"), Duration.ofMillis(rs.getLong("period_ms")),
                        rs.getLong("burst")));
            } catch (IllegalArgumentException e) {
                // the API never writes such a row; one written by hand is ignored rather than stopping every limit
                log.warn("Ignoring the rate limit override of {}: {}", operation, e.getMessage());
            }
        });
        return overrides;
    }

    /** Replaces the reported environment with this worker's: the last worker to start speaks for the fleet. */
    private void reportEnvironment() {
        Collection<RateLimit> limits = environment.values();
        try {
            transactions.executeWithoutResult(status -> {
                jdbc.sql(FORGET_ENVIRONMENT).update();
                jdbc.sql(REPORT_ENVIRONMENT)
                        .param("reportedBy", whoAmI())
                        .param("operations", SqlArrays.of("text", limits.stream().map(RateLimit::operation).toArray()))
                        .param("items", SqlArrays.of("bigint", limits.stream().map(RateLimit::items).toArray()))
                        .param("periods", SqlArrays.of("bigint", limits.stream().map(l -> l.period().toMillis()).toArray()))
                        .param("bursts", SqlArrays.of("bigint", limits.stream().map(RateLimit::burst).toArray()))
                        .update();
            });
            environmentReported = true;
        } catch (DataAccessException e) {
            log.warn("Could not report WORKER_RATE_LIMITS to {} ({}); trying again on the next refresh",
                    RateLimitRules.ENVIRONMENT_TABLE, e.getMessage());
        }
    }

    private static String whoAmI() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "unknown-host";
        }
        return host + ":" + ProcessHandle.current().pid();
    }

    static boolean isMissingTable(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null && MISSING_TABLE.contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
