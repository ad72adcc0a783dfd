package io.batchline.worker.operations.http;

import io.batchline.support.outbound.AllowedHosts;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.stereotype.Component;

/**
 * The per-host request limits of {@code http.call}, shared by all worker replicas: one
 * Bucket4j token bucket per limited host, in PostgreSQL's {@code worker.rate_limit_buckets}
 * (the table of the per-operation limits, keys {@code http:<host>[:<port>]}), updated under
 * a row lock. A chunk takes its tokens in groups of up to the burst, one round trip per group.
 */
@Component
class HostRateLimits {

    private static final Logger log = LoggerFactory.getLogger(HostRateLimits.class);

    private static final Pattern ENTRY = Pattern.compile(
            "\\s*([a-z0-9.\\-_]+|\\[[0-9a-f:.]+\\])(?::(\\d{1,5}))?\\s*=\\s*(\\d+)\\s*/\\s*([0-9a-z]+)\\s*(?::\\s*(\\d+))?\\s*");

    /** At most {@code requests} per {@code period} sustained, {@code burst} at once; {@code port} -1 covers every port. */
    record HostLimit(String host, int port, long requests, Duration period, long burst) {

        HostLimit {
            if (requests < 1 || burst < 1 || period.isZero() || period.isNegative()) {
                throw new IllegalArgumentException("rate limit of " + host + " must allow at least 1 request per positive period");
            }
        }

        String bucketKey() {
            return "http:" + host + (port < 0 ? "" : ":" + port);
        }
    }

    /** A host's bucket and its limit. */
    record Limited(BucketProxy bucket, HostLimit limit) {
    }

    private final List<HostLimit> limits;
    private final Map<String, BucketProxy> buckets = new LinkedHashMap<>();

    HostRateLimits(DataSource dataSource, HttpCallSettings settings) {
        this.limits = parse(settings.rateLimits());
        if (limits.isEmpty()) {
            return;
        }
        ProxyManager<String> proxies = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("worker.rate_limit_buckets")
                .build();
        for (HostLimit limit : limits) {
            BucketConfiguration configuration = BucketConfiguration.builder()
                    .addLimit(bandwidth -> bandwidth.capacity(limit.burst()).refillGreedy(limit.requests(), limit.period()))
                    .build();
            buckets.put(limit.bucketKey(), proxies.builder().build(limit.bucketKey(), () -> configuration));
            log.info("http.call rate limit for {}: {} requests per {} (burst {}), shared by all workers",
                    limit.bucketKey(), limit.requests(), limit.period(), limit.burst());
        }
    }

    /** The limit that covers {@code host:port} (an entry with the port before one without), or null. */
    @Nullable Limited forHost(String host, int port) {
        HostLimit match = match(limits, host, port);
        return match == null ? null : new Limited(buckets.get(match.bucketKey()), match);
    }

    static @Nullable HostLimit match(List<HostLimit> limits, String host, int port) {
        HostLimit anyPort = null;
        for (HostLimit limit : limits) {
            if (limit.host().equals(host)) {
                if (limit.port() == port) {
                    return limit;
                }
                if (limit.port() < 0) {
                    anyPort = limit;
                }
            }
        }
        return anyPort;
    }

    /**
     * Parses {@code WORKER_HTTP_RATE_LIMITS}: comma-separated {@code host[:port]=requests/period[:burst]},
     * e.g. {@code api.example.com=50/1s,api.example.com:8443=10/1s:20}. The burst defaults to {@code requests}.
     */
    static List<HostLimit> parse(@Nullable String spec) {
        if (spec == null || spec.isBlank()) {
            return List.of();
        }
        Map<String, HostLimit> limits = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            Matcher m = ENTRY.matcher(entry.toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new IllegalArgumentException("http rate limit '" + entry.trim()
                        + "' is not host[:port]=requests/period[:burst], e.g. api.example.com=50/1s");
            }
            int port = m.group(2) == null ? -1 : Integer.parseInt(m.group(2));
            long requests = Long.parseLong(m.group(3));
            Duration period = DurationStyle.detectAndParse(m.group(4));
            long burst = m.group(5) == null ? requests : Long.parseLong(m.group(5));
            HostLimit limit = new HostLimit(AllowedHosts.normalize(m.group(1)), port, requests, period, burst);
            limits.put(limit.bucketKey(), limit);
        }
        return List.copyOf(limits.values());
    }
}
