package io.batchline.worker.ratelimit;

import io.batchline.model.ratelimit.RateLimitRules;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.convert.DurationStyle;

/**
 * A global limit on one operation: at most {@code items} per {@code period} sustained, and
 * at most {@code burst} at once after a quiet time. Obeys {@link RateLimitRules}, like an
 * admin's override does.
 */
public record RateLimit(String operation, long items, Duration period, long burst) {

    private static final Pattern ENTRY = Pattern.compile("\\s*([a-z0-9.\\-]+)\\s*=\\s*(\\d+)\\s*/\\s*([0-9a-z]+)\\s*(?::\\s*(\\d+))?\\s*");

    public RateLimit {
        Map<String, String> wrong = RateLimitRules.violations(items, period, burst);
        if (!wrong.isEmpty()) {
            throw new IllegalArgumentException("rate limit of " + operation + " must allow at least 1 item per positive period: "
                    + wrong);
        }
    }

    /** The sustained rate, as the {@code batchline_rate_limit_items_per_second} gauge shows it. */
    public double itemsPerSecond() {
        return RateLimitRules.itemsPerSecond(items, period);
    }

    @Override
    public String toString() {
        String every = period.toMillis() % 1000 == 0
                ? DurationStyle.SIMPLE.print(period, ChronoUnit.SECONDS) : DurationStyle.SIMPLE.print(period, ChronoUnit.MILLIS);
        return items + " per " + every + " (burst " + burst + ")";
    }

    /**
     * Parses {@code WORKER_RATE_LIMITS}: comma-separated {@code operation=items/period[:burst]},
     * e.g. {@code content.update-price=500/3s,noop=1000/1s:2000}. The burst defaults to {@code items}.
     */
    public static Map<String, RateLimit> parse(String spec) {
        Map<String, RateLimit> limits = new LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return limits;
        }
        for (String entry : spec.split(",")) {
            Matcher m = ENTRY.matcher(entry);
            if (!m.matches()) {
                throw new IllegalArgumentException("rate limit '" + entry.trim() + "' is not operation=items/period[:burst], e.g. noop=500/3s");
            }
            long items = Long.parseLong(m.group(2));
            Duration period = DurationStyle.detectAndParse(m.group(3));
            long burst = m.group(4) == null ? items : Long.parseLong(m.group(4));
            limits.put(m.group(1), new RateLimit(m.group(1), items, period, burst));
        }
        return limits;
    }
}
