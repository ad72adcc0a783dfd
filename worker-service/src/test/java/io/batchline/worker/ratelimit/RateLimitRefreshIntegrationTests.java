package io.batchline.worker.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.testing.TestServices;
import io.batchline.worker.WorkerIntegrationTest;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * A running worker follows the admin's overrides: the overrides table is written the way the
 * API writes it, and the worker's limiter, its shared bucket and its gauge follow within a
 * refresh. The operations are made up for this test ({@code rl.*}), so no consumer of the
 * other tests is ever throttled by them; every worker context of this JVM reads the same table,
 * like replicas do.
 */
@TestPropertySource(properties = {"worker.rate-limits=rl.env=50/1s", "worker.rate-limit-refresh=200ms"})
class RateLimitRefreshIntegrationTests extends WorkerIntegrationTest {

    @Autowired
    GlobalRateLimiter limiter;

    @Autowired
    MeterRegistry meters;

    @Autowired
    DataSource dataSource;

    private ProxyManager<String> buckets;

    /** The table the API's migration V10 creates; the worker's own tests run without the API. */
    @BeforeAll
    static void overridesTable() throws Exception {
        try (var connection = TestServices.get().openConnection(); var statement = connection.createStatement()) {
            statement.execute("""
                    CREATE TABLE IF NOT EXISTS public.rate_limit_overrides (operation text PRIMARY KEY, items bigint NOT NULL,
                        period_ms bigint NOT NULL, burst bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
                        updated_by text NOT NULL, updated_by_key uuid)""");
        }
    }

    @BeforeEach
    void anotherReplicasViewOfTheBuckets() {
        buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource).primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("worker.rate_limit_buckets").build();
    }

    @AfterEach
    void noOverridesLeft() {
        jdbc.sql("DELETE FROM public.rate_limit_overrides WHERE operation LIKE 'rl.%'").update();
    }

    private void override(String operation, long items, Duration period, long burst) {
        jdbc.sql("""
                INSERT INTO public.rate_limit_overrides (operation, items, period_ms, burst, updated_by) VALUES (?, ?, ?, ?, 'test')
                ON CONFLICT (operation) DO UPDATE SET items = excluded.items, period_ms = excluded.period_ms, burst = excluded.burst
                """).params(operation, items, period.toMillis(), burst).update();
    }

    private void reset(String operation) {
        jdbc.sql("DELETE FROM public.rate_limit_overrides WHERE operation = ?").param(operation).update();
    }

    private void awaitInForce(String operation, RateLimit expected) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(limiter.current().of(operation)).contains(expected));
    }

    private long capacityOfSharedBucket(String operation) {
        BucketConfiguration configuration = buckets.getProxyConfiguration(operation).orElseThrow();
        return configuration.getBandwidths()[0].getCapacity();
    }

    private static long millisToAcquire(GlobalRateLimiter limiter, String operation, int items) throws InterruptedException {
        long started = System.nanoTime();
        limiter.acquire(operation, items);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    @Test
    void anOverrideOfAnUnlimitedOperationStartsThrottlingItOnTheSharedBucket() throws Exception {
        assertThat(millisToAcquire(limiter, "rl.added", 10_000)).as("no limit, no wait").isLessThan(100);

        override("rl.added", 5, Duration.ofSeconds(1), 5);
        awaitInForce("rl.added", new RateLimit("rl.added", 5, Duration.ofSeconds(1), 5));

        assertThat(capacityOfSharedBucket("rl.added")).as("what every replica's bucket holds").isEqualTo(5);
        assertThat(meters.get("batchline.rate_limit.items_per_second").tag("operation", "rl.added").gauge().value()).isEqualTo(5.0);
        limiter.acquire("rl.added", 5); // the burst (the bucket may not be full yet if another context took some)
        assertThat(millisToAcquire(limiter, "rl.added", 5)).as("5 more at 5/s").isBetween(700L, 2_500L);
    }

    @Test
    void aChangedOverrideReconfiguresTheBucketAndAResetReturnsToTheEnvironment() {
        awaitInForce("rl.env", new RateLimit("rl.env", 50, Duration.ofSeconds(1), 50));
        assertThat(limiter.current().sourceOf("rl.env")).isEqualTo("env");

        override("rl.env", 7, Duration.ofSeconds(2), 3);
        awaitInForce("rl.env", new RateLimit("rl.env", 7, Duration.ofSeconds(2), 3));
        assertThat(limiter.current().sourceOf("rl.env")).isEqualTo("override");
        assertThat(capacityOfSharedBucket("rl.env")).isEqualTo(3);
        assertThat(meters.get("batchline.rate_limit.items_per_second").tag("operation", "rl.env").gauge().value()).isEqualTo(3.5);

        reset("rl.env");
        awaitInForce("rl.env", new RateLimit("rl.env", 50, Duration.ofSeconds(1), 50));
        assertThat(limiter.current().sourceOf("rl.env")).isEqualTo("env");
        assertThat(capacityOfSharedBucket("rl.env")).isEqualTo(50);
    }

    @Test
    void removingALimitReleasesAChunkThatIsWaitingForIt() throws Exception {
        override("rl.removed", 1, Duration.ofHours(1), 1);
        awaitInForce("rl.removed", new RateLimit("rl.removed", 1, Duration.ofHours(1), 1));
        limiter.acquire("rl.removed", 1);
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            try {
                limiter.acquire("rl.removed", 100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !waiting.isDone());

        reset("rl.removed");
        await().atMost(Duration.ofSeconds(5)).until(waiting::isDone);
        assertThat(limiter.current().of("rl.removed")).isEmpty();
        assertThat(meters.get("batchline.rate_limit.items_per_second").tag("operation", "rl.removed").gauge().value()).isNaN();
    }

    @Test
    void theEnvironmentIsReportedForTheAdminApi() {
        Map<String, Object> row = jdbc.sql("SELECT items, period_ms, burst, reported_by FROM worker.rate_limit_defaults WHERE operation = 'rl.env'")
                .query().singleRow();
        assertThat(row).containsEntry("items", 50L).containsEntry("period_ms", 1000L).containsEntry("burst", 50L);
        assertThat((String) row.get("reported_by")).contains(":");
    }
}
