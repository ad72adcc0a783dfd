package io.batchline.worker.consumption;

import io.batchline.model.messaging.Topology;
import io.batchline.support.tracing.ItemTracing;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IntSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The worker's spans for one delivery chunk: one per batch in it, continuing the trace its
 * items' messages carry (the batch's dispatch run), with the seq range it held. The tracker
 * continues each from the results message's {@link Topology#HEADER_TRACE_PARENTS}.
 * Items whose messages carry no trace context (tracing off when they were dispatched) get
 * no span.
 */
final class ChunkSpans implements AutoCloseable {

    private final Map<UUID, Span> spans;
    private final Map<String, String> parents;
    private final Tracer.@Nullable SpanInScope scope;

    private ChunkSpans(Map<UUID, Span> spans, Map<String, String> parents, Tracer.@Nullable SpanInScope scope) {
        this.spans = spans;
        this.parents = parents;
        this.scope = scope;
    }

    static ChunkSpans start(ItemTracing tracing, String operation, boolean isolation, List<Delivery> deliveries) {
        Map<UUID, List<Delivery>> byBatch = new LinkedHashMap<>();
        for (Delivery delivery : deliveries) {
            byBatch.computeIfAbsent(delivery.item().batchId(), id -> new ArrayList<>()).add(delivery);
        }
        Map<UUID, Span> spans = new LinkedHashMap<>();
        Map<String, String> parents = new HashMap<>();
        byBatch.forEach((batchId, items) -> {
            Object parent = items.getFirst().message().getMessageProperties().getHeaders().get(Topology.HEADER_TRACE_PARENT);
            if (parent == null) {
                return;
            }
            IntSummaryStatistics seqs = items.stream().mapToInt(d -> d.item().seq()).summaryStatistics();
            Span span = tracing.start("item chunk", parent.toString())
                    .tag("batch.id", batchId.toString()).tag("batch.operation", operation)
                    .tag("items", items.size()).tag("seq.first", seqs.getMin()).tag("seq.last", seqs.getMax())
                    .tag("queue", isolation ? Topology.isolationQueue(operation) : Topology.itemQueue(operation));
            spans.put(batchId, span);
            String own = tracing.traceParent(span);
            if (own != null) {
                parents.put(batchId.toString(), own);
            }
        });
        Tracer.SpanInScope scope = spans.isEmpty() ? null : tracing.inScope(spans.values().iterator().next());
        return new ChunkSpans(spans, parents, scope);
    }

    /** Batch id to the context the tracker's span of those results continues. */
    Map<String, String> parents() {
        return parents;
    }

    void failed(Throwable error) {
        spans.values().forEach(span -> span.error(error));
    }

    @Override
    public void close() {
        if (scope != null) {
            scope.close();
        }
        spans.values().forEach(Span::end);
    }
}
