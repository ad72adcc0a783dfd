package io.batchline.model.ratelimit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a global rate limit may be, wherever it is set ({@code WORKER_RATE_LIMITS} at a
 * worker's start-up, or an admin's {@code PUT /api/admin/rate-limits/{operation}}), and the
 * tables through which the API and the workers share limits. One definition, so the API
 * never accepts a limit a worker would refuse to build.
 */
public final class RateLimitRules {

    /** The admin API's overrides (its migration {@code V10} owns the table); every worker reads it. */
    public static final String OVERRIDES_TABLE = "public.rate_limit_overrides";
    /** {@code WORKER_RATE_LIMITS} as the last worker to start had it (the worker's migrations own the table). */
    public static final String ENVIRONMENT_TABLE = "worker.rate_limit_defaults";

    public static final long MAX_ITEMS = 1_000_000_000L;
    public static final Duration MIN_PERIOD = Duration.ofMillis(1);
    public static final Duration MAX_PERIOD = Duration.ofDays(1);
    /** Far above anything a worker fleet does; also keeps Bucket4j's refill (at most one token per nanosecond) valid. */
    public static final long MAX_ITEMS_PER_SECOND = 1_000_000L;

    private RateLimitRules() {
    }

    /**
     * What is wrong with a limit, by field ({@code items}, {@code period}, {@code burst}), in
     * words an admin can act on; empty when the limit is valid.
     */
    public static Map<String, String> violations(long items, Duration period, long burst) {
        Map<String, String> wrong = new LinkedHashMap<>();
        if (items < 1 || items > MAX_ITEMS) {
            wrong.put("items", "must be between 1 and " + MAX_ITEMS);
        }
        if (period.compareTo(MIN_PERIOD) < 0 || period.compareTo(MAX_PERIOD) > 0) {
            wrong.put("period", "must be between 1ms and 24h (e.g. \"3s\" or \"PT3S\")");
        } else if (period.toNanosPart() % 1_000_000 != 0) {
            wrong.put("period", "must be a whole number of milliseconds");
        }
        if (burst < 1 || burst > MAX_ITEMS) {
            wrong.put("burst", "must be between 1 and " + MAX_ITEMS);
        }
        if (wrong.isEmpty() && itemsPerSecond(items, period) > MAX_ITEMS_PER_SECOND) {
            wrong.put("items", "allows more than " + MAX_ITEMS_PER_SECOND + " items per second; use a longer period or no limit");
        }
        return wrong;
    }

    /** The sustained rate a limit allows. */
    public static double itemsPerSecond(long items, Duration period) {
        return items * 1_000_000_000.0 / period.toNanos();
    }
}
