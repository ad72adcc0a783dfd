package io.batchline.api.security;

import io.batchline.api.problem.BatchRejected;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.validation.annotation.Validated;

/**
 * Per-tenant submission limits, shared by every API instance (Bucket4j token buckets in
 * PostgreSQL): requests per second, checked before the body is read, and items per minute,
 * checked once the batch's size is known (inside its transaction, so a refused batch leaves
 * nothing behind). Over a limit: 429 with {@code Retry-After}. Admin keys are not limited.
 */
@Component
public class SubmissionRateLimit implements org.springframework.beans.factory.DisposableBean {

    /**
     * @param requestsPerSecond submissions per tenant per second ({@code BATCH_TENANT_REQUESTS_PER_SECOND})
     * @param itemsPerMinute    items per tenant per minute ({@code BATCH_TENANT_ITEMS_PER_MINUTE}); at least
     *                          the largest batch allowed, or such a batch could never pass
     */
    @ConfigurationProperties("batch.tenant-limits")
    @Validated
    record Settings(@DefaultValue("20") @Min(1) long requestsPerSecond, @DefaultValue("1000000") @Min(1) long itemsPerMinute) {
    }

    private final Settings settings;
    private final ProxyManager<String> buckets;
    private final com.zaxxer.hikari.HikariDataSource pool;
    private final BucketConfiguration requestsPerSecond;
    private final BucketConfiguration itemsPerMinute;

    /**
     * The buckets get a small pool of their own: the items are counted inside the submission
     * transaction, which already holds a connection of the main pool, and a second one from
     * the same pool could deadlock under load (every connection held, each waiting for one more).
     */
    SubmissionRateLimit(Settings settings, DataSourceProperties database) {
        this.settings = settings;
        this.requestsPerSecond = perPeriod(settings.requestsPerSecond(), Duration.ofSeconds(1));
        this.itemsPerMinute = perPeriod(settings.itemsPerMinute(), Duration.ofMinutes(1));
        this.pool = database.initializeDataSourceBuilder().type(com.zaxxer.hikari.HikariDataSource.class).build();
        pool.setPoolName("tenant-rate-limits");
        pool.setMaximumPoolSize(4);
        pool.setConnectionTimeout(3000);
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(pool)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("tenant_rate_buckets")
                .build();
    }

    @Override
    public void destroy() {
        pool.close();
    }

    /** One more submission request of this caller, or a 429. */
    public void acquireRequest(Caller caller) {
        take(caller, "requests", 1, settings.requestsPerSecond(), requestsPerSecond, Duration.ofSeconds(1), "submissions per second");
    }

    /** The items of a batch being submitted, or a 429. */
    public void acquireItems(Caller caller, int items) {
        take(caller, "items", items, settings.itemsPerMinute(), itemsPerMinute, Duration.ofMinutes(1), "items per minute");
    }

    private static BucketConfiguration perPeriod(long limit, Duration period) {
        return BucketConfiguration.builder().addLimit(bandwidth -> bandwidth.capacity(limit).refillGreedy(limit, period)).build();
    }

    private void take(Caller caller, String kind, long tokens, long limit, BucketConfiguration configuration, Duration period,
                      String what) {
        if (caller.isAdmin()) {
            return;
        }
        if (tokens > limit) {
            throw tooMany(caller, limit, what, period.toSeconds());
        }
        ConsumptionProbe probe = buckets.builder().build(caller.tenant() + ":" + kind, () -> configuration)
                .tryConsumeAndReturnRemaining(tokens);
        if (!probe.isConsumed()) {
            long seconds = Math.max(1, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds() + 1);
            throw tooMany(caller, limit, what, seconds);
        }
    }

    private static BatchRejected tooMany(Caller caller, long limit, String what, long retryAfterSeconds) {
        return new BatchRejected(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many submissions",
                "tenant '" + caller.tenant() + "' may submit at most " + limit + " " + what + "; retry in "
                        + retryAfterSeconds + " s", Map.of("retryAfterSeconds", retryAfterSeconds));
    }
}
