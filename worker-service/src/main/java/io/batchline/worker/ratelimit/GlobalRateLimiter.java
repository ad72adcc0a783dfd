package io.batchline.worker.ratelimit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The per-operation rate limits shared by all worker replicas: a Bucket4j token bucket per
 * limited operation, kept in PostgreSQL ({@code worker.rate_limit_buckets}) and updated
 * under a row lock, so ten replicas together get what one would. A worker takes the
 * tokens for a whole chunk at once (one round trip per chunk) and waits when the bucket
 * is empty; the wait happens before the handler's time limit starts.
 * <p>
 * Which limits are in force can change while the worker runs ({@link RateLimitRefresh}
 * calls {@link #apply}): a changed limit replaces the configuration of the shared bucket
 * itself, so it holds for every replica, keeping the bucket's share of tokens
 * ({@link TokensInheritanceStrategy#PROPORTIONALLY}: the replicas that apply the same change
 * one after the other change nothing more, and nobody gets a fresh burst out of a change).
 * A removed limit stops throttling at once. No wait lasts longer than
 * {@link #LONGEST_RESERVATION} without looking at the limits again, so a worker that waited
 * under a tiny limit follows a raised one within about a second.
 */
@Component
public class GlobalRateLimiter {

    private static final Logger log = LoggerFactory.getLogger(GlobalRateLimiter.class);

    /** Longest wait a worker reserves tokens for; beyond it, it pauses and asks again. */
    static final Duration LONGEST_RESERVATION = Duration.ofSeconds(1);

    private final ProxyManager<String> proxies;
    private final MeterRegistry meters;
    private final Map<String, BucketProxy> buckets = new ConcurrentHashMap<>();
    /** The limit each bucket was last configured with here: what a bucket whose row is missing is created with. */
    private final Map<String, RateLimit> configured = new ConcurrentHashMap<>();
    private final Set<String> gauged = ConcurrentHashMap.newKeySet();
    /** Operations whose bucket still has to be given the limit in force (a failed reconfiguration). */
    private final Set<String> unconfigured = ConcurrentHashMap.newKeySet();
    private volatile EffectiveLimits current = EffectiveLimits.NONE;

    GlobalRateLimiter(DataSource dataSource, MeterRegistry meters) {
        this.meters = meters;
        this.proxies = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("worker.rate_limit_buckets")
                .build();
    }

    /** The limits in force now. */
    EffectiveLimits current() {
        return current;
    }

    /**
     * Puts {@code next} in force at once (a removed limit frees waiting chunks within
     * {@link #LONGEST_RESERVATION}), then replaces the configuration of each added or changed
     * limit's shared bucket (one round trip each). A bucket that could not be reconfigured
     * (the database is away) is tried again on the next call. Idempotent.
     */
    synchronized void apply(EffectiveLimits next) {
        Set<String> toConfigure = new TreeSet<>(current.changedIn(next));
        toConfigure.addAll(unconfigured);
        // first, so a chunk that meets a bucket whose row does not exist yet creates it with the new limit
        toConfigure.forEach(operation -> next.of(operation).ifPresent(limit -> configured.put(operation, limit)));
        current = next;
        for (String operation : toConfigure) {
            var limit = next.of(operation);
            if (limit.isEmpty()) {
                unconfigured.remove(operation);
                log.info("Rate limit for {} removed: no longer throttled", operation);
                continue;
            }
            gauge(operation);
            try {
                bucket(operation).replaceConfiguration(configuration(limit.get()), TokensInheritanceStrategy.PROPORTIONALLY);
                unconfigured.remove(operation);
                log.info("Rate limit for {}: {} (from {}), shared by all workers", operation, limit.get(), next.sourceOf(operation));
            } catch (RuntimeException e) {
                unconfigured.add(operation);
                log.warn("Could not configure the shared bucket of {} as {} yet ({}); trying again on the next refresh",
                        operation, limit.get(), e.toString());
            }
        }
    }

    /** Blocks until {@code items} of the operation may run under the limit in force (at once if there is none). */
    public void acquire(String operation, int items) throws InterruptedException {
        if (current.of(operation).isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        long left = items;
        while (left > 0) {
            var limit = current.of(operation);
            if (limit.isEmpty()) {
                break; // the limit was removed while this chunk waited
            }
            long take = Math.min(left, limit.get().burst());
            if (bucket(operation).asBlocking().tryConsume(take, LONGEST_RESERVATION)) {
                left -= take;
            } else {
                // the wait would be longer than we reserve for: the limit may change meanwhile, look again shortly
                TimeUnit.NANOSECONDS.sleep(LONGEST_RESERVATION.toNanos());
            }
        }
        meters.timer("batchline.worker.rate_limit.wait", "operation", operation)
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }

    private BucketProxy bucket(String operation) {
        // the supplier only serves when the bucket's row does not exist yet: it creates it with the latest limit
        return buckets.computeIfAbsent(operation, op -> proxies.builder().build(op, () -> configuration(configured.get(op))));
    }

    /** The effective limit as a gauge (NaN while there is none), registered when the operation first gets one. */
    private void gauge(String operation) {
        if (gauged.add(operation)) {
            Gauge.builder("batchline.rate_limit.items_per_second", this,
                            limiter -> limiter.current.of(operation).map(RateLimit::itemsPerSecond).orElse(Double.NaN))
                    .description("the global rate limit in force for the operation, in items per second (NaN: none)")
                    .tag("operation", operation)
                    .register(meters);
        }
    }

    private static BucketConfiguration configuration(RateLimit limit) {
        return BucketConfiguration.builder()
                .addLimit(bandwidth -> bandwidth.capacity(limit.burst()).refillGreedy(limit.items(), limit.period()))
                .build();
    }
}
