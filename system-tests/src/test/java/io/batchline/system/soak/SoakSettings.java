package io.batchline.system.soak;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What one soak run does: its seed (which fixes the workload and the fault schedule), how
 * long faults are injected and batches submitted, how many workers run, and how long the
 * end may wait for every batch to end.
 *
 * @param seed          replays the same workload and fault schedule
 * @param duration      how long batches are submitted and faults injected
 * @param workers       worker processes (at least 3)
 * @param settleTimeout longest wait, after the last fault, for every accepted batch to end
 * @param stagnation    the wait ends early once no unfinished batch moved for this long
 * @param outputDir     where the event log and the result go
 */
public record SoakSettings(long seed, Duration duration, int workers, Duration settleTimeout, Duration stagnation,
                           Path outputDir) {

    /**
     * From system properties: {@code soak.seed} (default random), {@code soak.minutes}
     * (default {@code defaultMinutes}, fractions allowed), {@code soak.workers} (3),
     * {@code soak.settleMinutes} (5), {@code soak.stagnationSeconds} (120), {@code soak.dir}
     * ({@code target/soak}).
     */
    public static SoakSettings fromSystemProperties(double defaultMinutes) {
        String seedProperty = System.getProperty("soak.seed", "").trim();
        long seed = seedProperty.isEmpty() ? ThreadLocalRandom.current().nextLong(1, 1L << 48) : Long.parseLong(seedProperty);
        double minutes = parseDouble("soak.minutes", defaultMinutes);
        int workers = Math.max(3, (int) parseDouble("soak.workers", 3));
        double settleMinutes = parseDouble("soak.settleMinutes", 5);
        double stagnationSeconds = parseDouble("soak.stagnationSeconds", 120);
        Path dir = Path.of(System.getProperty("soak.dir", "target/soak"));
        return new SoakSettings(seed, Duration.ofMillis((long) (minutes * 60_000)), workers,
                Duration.ofMillis((long) (settleMinutes * 60_000)), Duration.ofMillis((long) (stagnationSeconds * 1000)), dir);
    }

    private static double parseDouble(String property, double fallback) {
        String value = System.getProperty(property, "").trim();
        return value.isEmpty() ? fallback : Double.parseDouble(value);
    }

    /** Minutes as given, without a trailing ".0" for whole minutes. */
    public String minutesText() {
        double minutes = duration.toMillis() / 60_000.0;
        return minutes == Math.rint(minutes) ? String.valueOf((long) minutes) : String.valueOf(minutes);
    }
}
