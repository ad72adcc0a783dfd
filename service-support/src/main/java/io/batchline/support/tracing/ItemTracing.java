package io.batchline.support.tracing;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The spans of the item path and the trace context they hand on, in W3C {@code traceparent}
 * form. Spans are per batch step (a submission, a dispatch run, a worker's share of a
 * delivery chunk, a tracker commit), never per item: an item's place in the trace is its
 * batch's spans, whose {@code batch.id} and seq range attributes name it. Every item of a
 * dispatch run carries the same context string, so tracing adds no per-item work beyond one
 * header.
 *
 * <p>With no tracer configured (tests, or tracing switched off) every method still works and
 * hands on nothing.
 */
public final class ItemTracing {

    /** W3C trace context's field name (Topology.HEADER_TRACE_PARENT carries it on messages). */
    private static final String TRACE_PARENT = "traceparent";

    private final Tracer tracer;
    private final Propagator propagator;

    public ItemTracing(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /** The application's tracer, or tracing off when it has none (tracing disabled). */
    public static ItemTracing from(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        return new ItemTracing(tracer.getIfAvailable(() -> Tracer.NOOP), propagator.getIfAvailable(() -> Propagator.NOOP));
    }

    /** For code paths and tests without tracing. */
    public static ItemTracing off() {
        return new ItemTracing(Tracer.NOOP, Propagator.NOOP);
    }

    /** The context of the span current on this thread (e.g. the HTTP request's), or null. */
    public @Nullable String currentTraceParent() {
        Span current = tracer.currentSpan();
        return current == null ? null : traceParent(current);
    }

    /**
     * Starts a span continuing {@code parent} (a stored or received {@code traceparent}); a
     * root span when there is none or it cannot be read.
     */
    public Span start(String name, @Nullable String parent) {
        if (parent == null || parent.isBlank()) {
            return tracer.nextSpan().name(name).start();
        }
        return propagator.extract(Map.of(TRACE_PARENT, parent), (carrier, key) -> carrier.get(key)).name(name).start();
    }

    /** Makes {@code span} current on this thread (log lines then carry its trace and span ids) until closed. */
    public Tracer.SpanInScope inScope(Span span) {
        return tracer.withSpan(span);
    }

    /** The {@code traceparent} that continues {@code span}, or null when tracing is off. */
    public @Nullable String traceParent(Span span) {
        if (span.isNoop()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(2);
        propagator.inject(span.context(), carrier, Map::put);
        return carrier.get(TRACE_PARENT);
    }

    /** The trace id of a {@code traceparent} value (its second field), or null. */
    public static @Nullable String traceId(@Nullable String traceParent) {
        if (traceParent == null) {
            return null;
        }
        String[] parts = traceParent.split("-");
        return parts.length >= 4 ? parts[1] : null;
    }
}
