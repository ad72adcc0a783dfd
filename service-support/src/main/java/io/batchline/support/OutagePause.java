package io.batchline.support;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Waits out an infrastructure outage while holding on to the work in hand: exponential
 * backoff from {@code first} up to {@code longest}, logged once when it starts and then at
 * most once a minute. Holding on (rather than returning messages to their queue) is what
 * keeps an outage from spending delivery budget: a requeue counts as a delivery on
 * RabbitMQ's quorum queues.
 */
public final class OutagePause {

    private final Logger log;
    private final String what;
    private final Duration first;
    private final Duration longest;
    private final long startedNanos = System.nanoTime();
    private long nextWaitMillis;
    private long lastLogNanos;
    private int pauses;

    public OutagePause(Logger log, String what, Duration first, Duration longest) {
        this.log = log;
        this.what = what;
        this.first = first;
        this.longest = longest;
        this.nextWaitMillis = first.toMillis();
    }

    /**
     * Sleeps before the next try. Returns false when the thread was interrupted (the
     * service is stopping): the caller gives the work back untouched.
     */
    public boolean pause(Throwable cause) {
        long now = System.nanoTime();
        if (pauses == 0 || now - lastLogNanos > TimeUnit.MINUTES.toNanos(1)) {
            lastLogNanos = now;
            log.warn("{}: infrastructure unavailable ({}); holding the work and trying again (paused {} s so far)",
                    what, cause.toString(), TimeUnit.NANOSECONDS.toSeconds(now - startedNanos));
        }
        pauses++;
        try {
            Thread.sleep(nextWaitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        nextWaitMillis = Math.min(longest.toMillis(), Math.max(first.toMillis(), nextWaitMillis * 2));
        return true;
    }

    /** How long this outage has been waited out so far. */
    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    public int pauses() {
        return pauses;
    }

    /** Logs the end of the outage if there was one. */
    public void resumed() {
        if (pauses > 0) {
            log.info("{}: resumed after {} s", what, elapsed().toSeconds());
        }
    }
}
