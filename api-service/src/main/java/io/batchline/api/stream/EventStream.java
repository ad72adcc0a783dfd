package io.batchline.api.stream;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * One open stream: its emitter and what it was last sent. The poller never writes to the
 * connection itself (a slow client would stall every stream): it hands the latest event over
 * and one writer at a time (a virtual thread) sends it. An event handed over while the
 * previous one is still being written replaces any that waits, so a slow client gets the
 * latest state, not a backlog. A write that fails means the client went away: the stream is
 * released at once.
 */
final class EventStream {

    /** What to write: an event (id, name, data) or a comment; {@code last} completes the stream after it. */
    record Outgoing(@Nullable String id, @Nullable String name, @Nullable String data, @Nullable String comment, boolean last) {

        static Outgoing event(@Nullable String id, String name, String data, boolean last) {
            return new Outgoing(id, name, data, null, last);
        }

        static Outgoing comment(String text, boolean last) {
            return new Outgoing(null, null, null, text, last);
        }
    }

    private static final Outgoing HEARTBEAT = Outgoing.comment(" heartbeat", false);

    private final SseEmitter emitter;
    private final String tenant;
    private final @Nullable UUID batchId;
    private final @Nullable String scope;
    private final Executor writers;
    private final Consumer<EventStream> release;
    private final long openedNanos;
    private final AtomicReference<@Nullable Outgoing> pending = new AtomicReference<>();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile boolean finishing;
    private volatile long lastEventNanos;
    private volatile long lastWriteNanos;
    /** Batch streams: the state last handed over (or the client's {@code Last-Event-ID}). */
    volatile @Nullable EventId lastSent;
    /** Overview streams: the overview last handed over. */
    volatile long overviewSent = -1;

    EventStream(SseEmitter emitter, String tenant, @Nullable UUID batchId, @Nullable String scope, Executor writers,
                Consumer<EventStream> release, long nowNanos, long minEventIntervalNanos) {
        this.emitter = emitter;
        this.tenant = tenant;
        this.batchId = batchId;
        this.scope = scope;
        this.writers = writers;
        this.release = release;
        this.openedNanos = nowNanos;
        this.lastEventNanos = nowNanos - minEventIntervalNanos;
        this.lastWriteNanos = nowNanos;
    }

    SseEmitter emitter() {
        return emitter;
    }

    String tenant() {
        return tenant;
    }

    @Nullable UUID batchId() {
        return batchId;
    }

    @Nullable String scope() {
        return scope;
    }

    long openedNanos() {
        return openedNanos;
    }

    long lastEventNanos() {
        return lastEventNanos;
    }

    long lastWriteNanos() {
        return lastWriteNanos;
    }

    boolean isFinishing() {
        return finishing || released.get();
    }

    /** Marks the stream released; true only the first time (the caller then gives its slot back). */
    boolean markReleased() {
        return released.compareAndSet(false, true);
    }

    /** Hands an event over for writing; a {@code last} one is the final word, nothing is sent after it. */
    void send(Outgoing outgoing, long nowNanos) {
        if (isFinishing()) {
            return;
        }
        if (outgoing.last()) {
            finishing = true;
        }
        lastEventNanos = nowNanos;
        pending.set(outgoing);
        schedule();
    }

    /** A heartbeat comment, unless something else is already waiting to be written. */
    void heartbeat(long nowNanos) {
        if (isFinishing()) {
            return;
        }
        lastWriteNanos = nowNanos; // counted from now, so a slow write does not queue heartbeats
        if (pending.compareAndSet(null, HEARTBEAT)) {
            schedule();
        }
    }

    private void schedule() {
        if (writing.compareAndSet(false, true)) {
            try {
                writers.execute(this::drain);
            } catch (RuntimeException e) {
                writing.set(false); // shutting down
            }
        }
    }

    private void drain() {
        try {
            Outgoing next;
            while ((next = pending.getAndSet(null)) != null && !released.get()) {
                emitter.send(builder(next));
                lastWriteNanos = System.nanoTime();
                if (next.last()) {
                    emitter.complete();
                    release.accept(this);
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client went away (or the response is already closed): stop writing and free the slot
            release.accept(this);
            try {
                emitter.completeWithError(e);
            } catch (RuntimeException ignored) {
                // already completed
            }
        } finally {
            writing.set(false);
            if (pending.get() != null && !released.get()) {
                schedule();
            }
        }
    }

    private static SseEmitter.SseEventBuilder builder(Outgoing outgoing) {
        SseEmitter.SseEventBuilder builder = SseEmitter.event();
        if (outgoing.comment() != null) {
            builder.comment(outgoing.comment());
        }
        if (outgoing.id() != null) {
            builder.id(outgoing.id());
        }
        if (outgoing.name() != null) {
            builder.name(outgoing.name());
        }
        if (outgoing.data() != null) {
            builder.data(outgoing.data());
        }
        return builder;
    }
}
