package io.batchline.worker.ratelimit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.batchline.worker.consumption.WorkerSettings;
import org.springframework.stereotype.Component;

/**
 * The per-operation rate limits shared by all worker replicas: a Bucket4j token bucket per
 * limited operation, kept in PostgreSQL ({@code worker.rate_limit_buckets}) and updated
 * under a row lock, so ten replicas together get what one would. A worker takes the
 * tokens for a whole chunk at once (one round trip per chunk) and waits when the bucket
 * is empty; the wait happens before the handler's time limit starts.
 */
@Component
public class GlobalRateLimiter {

    private static final Logger log = LoggerFactory.getLogger(GlobalRateLimiter.class);

    private final Map<String, RateLimit> limits;
    private final Map<String, BucketProxy> buckets = new HashMap<>();

    GlobalRateLimiter(DataSource dataSource, WorkerSettings settings) {
        this.limits = RateLimit.parse(settings.rateLimits());
        if (limits.isEmpty()) {
            return;
        }
        ProxyManager<String> proxies = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("worker.rate_limit_buckets")
                .build();
        for (RateLimit limit : limits.values()) {
            BucketConfiguration configuration = BucketConfiguration.builder()
                    .addLimit(bandwidth -> bandwidth.capacity(limit.burst()).refillGreedy(limit.items(), limit.period()))
                    .build();
            buckets.put(limit.operation(), proxies.builder().build(limit.operation(), () -> configuration));
            log.info("Rate limit for {}: {} items per {} (burst {}), shared by all workers", limit.operation(),
                    limit.items(), limit.period(), limit.burst());
        }
    }

    /** Blocks until {@code items} of the operation may run. */
    public void acquire(String operation, int items) throws InterruptedException {
        BucketProxy bucket = buckets.get(operation);
        if (bucket == null) {
            return;
        }
        long burst = limits.get(operation).burst();
        long left = items;
        while (left > 0) {
            long take = Math.min(left, burst);
            bucket.asBlocking().consume(take);
            left -= take;
        }
    }
}
