package io.batchline.api.ratelimit;

import io.batchline.model.ratelimit.RateLimitRules;
import java.time.Duration;

/** A rate limit's values: {@code items} per {@code period} sustained, {@code burst} at once. */
record Limit(long items, Duration period, long burst) {

    static Limit ofMillis(long items, long periodMillis, long burst) {
        return new Limit(items, Duration.ofMillis(periodMillis), burst);
    }

    double itemsPerSecond() {
        return Math.round(RateLimitRules.itemsPerSecond(items, period) * 1000) / 1000.0;
    }
}
