package io.batchline.api.dispatch;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How fast each batch's items end, measured where its dispatch runs, and the window that
 * follows from it: enough published items for {@code windowTime} of work at that pace,
 * between a floor and a ceiling. A window sized by time rather than by count keeps the
 * queue short for slow items (so another batch's items wait seconds behind it, not minutes)
 * and long for fast ones (so a lone fast batch never waits for credit). A batch nobody has
 * measured yet starts at the floor and grows as its first results come back.
 */
final class BatchPace {

    /** Below this interval two readings say little about a rate. */
    private static final long MIN_SAMPLE_NANOS = Duration.ofMillis(250).toNanos();
    /** Readings older than this describe a batch that was parked or handled elsewhere: start over. */
    private static final long STALE_NANOS = Duration.ofSeconds(30).toNanos();

    /** @param measured whether {@code itemsPerSecond} comes from a sample (else it is a guess: 0, or a stale rate) */
    private record Reading(long nanos, int ended, double itemsPerSecond, boolean measured) {
    }

    private final ConcurrentHashMap<UUID, Reading> readings = new ConcurrentHashMap<>();
    private final int floor;
    private final int ceiling;
    private final double windowSeconds;

    BatchPace(int floor, int ceiling, Duration windowTime) {
        this.ceiling = ceiling;
        this.floor = Math.min(floor, ceiling);
        this.windowSeconds = windowTime.toMillis() / 1000.0;
    }

    /**
     * Records that {@code ended} items of the batch's round have ended by now and returns
     * its window before scaling (tenant weight, priority).
     */
    int window(UUID batch, int ended, long nowNanos) {
        Reading reading = readings.compute(batch, (id, last) -> next(last, ended, nowNanos));
        double items = reading.itemsPerSecond() * windowSeconds;
        return (int) Math.max(floor, Math.min(ceiling, Math.round(items)));
    }

    /**
     * What of {@code window} the batch keeps busy at its last measured pace: {@code windowTime}
     * of work at that pace, at most the window. A slow batch's window sits at the floor
     * although little of it runs at once; this says how much does. While the pace is not
     * measured yet, the whole window.
     */
    int busy(UUID batch, int window) {
        Reading reading = readings.get(batch);
        if (reading == null || !reading.measured()) {
            return window;
        }
        return (int) Math.min(window, Math.round(reading.itemsPerSecond() * windowSeconds));
    }

    private static Reading next(Reading last, int ended, long now) {
        if (last == null || now - last.nanos() > STALE_NANOS || ended < last.ended()) {
            return new Reading(now, ended, last == null || ended < last.ended() ? 0 : last.itemsPerSecond(), false);
        }
        long elapsed = now - last.nanos();
        if (elapsed < MIN_SAMPLE_NANOS) {
            return last;
        }
        double rate = (ended - last.ended()) * 1e9 / elapsed;
        // smoothed, but quick to follow: a pace that doubles shows within a couple of readings
        double smoothed = last.itemsPerSecond() == 0 ? rate : 0.5 * last.itemsPerSecond() + 0.5 * rate;
        return new Reading(now, ended, smoothed, true);
    }

    /** The batch is fully dispatched or has stopped: nothing more to size. */
    void forget(UUID batch) {
        readings.remove(batch);
    }

    /** Drops readings no run has touched for a while (batches that ended or moved to another instance). */
    void forgetStale(long nowNanos) {
        readings.values().removeIf(r -> nowNanos - r.nanos() > 10 * STALE_NANOS);
    }
}
