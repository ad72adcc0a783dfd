package io.batchline.api.tracking;

import com.rabbitmq.client.Channel;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.ItemResults;
import io.batchline.model.messaging.Topology;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import io.batchline.support.tracing.ItemLogFields;
import io.batchline.support.tracing.ItemTracing;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import io.batchline.api.dispatch.ItemDispatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareBatchMessageListener;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Consumes {@code batch.results} a chunk at a time: all readable results of the chunk are
 * recorded in one transaction, and the chunk is acknowledged only after that commit. A
 * message that cannot be read is rejected to {@code batch.dead.results} (it would fail the
 * same way every time). A database outage pauses the tracker with the chunk in hand
 * ({@link ChunkCommitter}); recording again after a redelivery is harmless because
 * recording is idempotent.
 */
@Component
class ResultTracker implements ChannelAwareBatchMessageListener {

    private static final Logger log = LoggerFactory.getLogger(ResultTracker.class);

    private final ResultRecorder recorder;
    private final ChunkCommitter committer;
    private final JsonMapper json;
    private final Counter recorded;
    private final Counter duplicates;
    private final MeterRegistry meters;
    private final io.micrometer.core.instrument.Timer batchDuration;
    private final ItemTracing tracing;
    private final ItemDispatcher dispatcher;

    ResultTracker(ResultRecorder recorder, ChunkCommitter committer, JsonMapper json, MeterRegistry meters,
                  ItemTracing tracing, ItemDispatcher dispatcher) {
        this.tracing = tracing;
        this.dispatcher = dispatcher;
        this.recorder = recorder;
        this.committer = committer;
        this.json = json;
        this.meters = meters;
        this.recorded = meters.counter("batchline.tracker.results", "outcome", "recorded");
        this.duplicates = meters.counter("batchline.tracker.results", "outcome", "duplicate");
        this.batchDuration = io.micrometer.core.instrument.Timer.builder("batchline.batch.duration")
                .description("from dispatch start to the last item's result").publishPercentileHistogram()
                .register(meters);
    }

    @Override
    public void onMessageBatch(List<Message> messages, Channel channel) {
        List<ChunkCommitter.Entry<ItemResults>> readable = new ArrayList<>(messages.size());
        for (Message message : messages) {
            ItemResults parsed = read(message);
            if (parsed == null) {
                reject(channel, message);
            } else {
                readable.add(new ChunkCommitter.Entry<>(message, parsed));
            }
        }
        List<Span> spans = spans(readable);
        Set<UUID> credited = new HashSet<>();
        try (Tracer.SpanInScope scope = spans.isEmpty() ? null : tracing.inScope(spans.getFirst())) {
            committer.commit(readable, channel, results -> record(results, credited), Topology.RESULTS_QUEUE);
            // ended items returned dispatch credit: batches waiting for it go on (after the commit,
            // so the dispatcher reads the new counts)
            credited.forEach(dispatcher::dispatchSoon);
        } catch (RuntimeException e) {
            spans.forEach(span -> span.error(e));
            throw e;
        } finally {
            spans.forEach(Span::end);
        }
    }

    /**
     * One span per batch in the chunk, continuing the worker span that produced its results
     * (the first such message's; results of one batch from several workers join one trace anyway).
     */
    private List<Span> spans(List<ChunkCommitter.Entry<ItemResults>> entries) {
        Map<UUID, String> parents = new LinkedHashMap<>();
        for (ChunkCommitter.Entry<ItemResults> entry : entries) {
            if (entry.message().getMessageProperties().getHeaders().get(Topology.HEADER_TRACE_PARENTS) instanceof Map<?, ?> map) {
                map.forEach((batch, parent) -> {
                    try {
                        parents.putIfAbsent(UUID.fromString(String.valueOf(batch)), String.valueOf(parent));
                    } catch (IllegalArgumentException e) {
                        // a header this tracker cannot read costs a span, never the results
                    }
                });
            }
        }
        if (parents.isEmpty()) {
            return List.of();
        }
        Map<UUID, Integer> counts = new HashMap<>();
        for (ChunkCommitter.Entry<ItemResults> entry : entries) {
            for (ItemResult result : entry.value().results()) {
                counts.merge(result.batchId(), 1, Integer::sum);
            }
        }
        List<Span> spans = new ArrayList<>(parents.size());
        parents.forEach((batch, parent) -> spans.add(tracing.start("record results", parent)
                .tag("batch.id", batch.toString()).tag("results", counts.getOrDefault(batch, 0))));
        return spans;
    }

    /** Records the results of some messages in one transaction; throws if that fails. */
    private void record(List<ItemResults> messages, Set<UUID> credited) {
        List<ItemResult> results = firstPerItem(messages);
        int ended = 0;
        if (!results.isEmpty()) {
            for (ResultRecorder.BatchChange change : recorder.record(results)) {
                ended += change.itemsChanged();
                if (change.undispatched() && change.itemsChanged() > 0 && !change.ended()) {
                    credited.add(change.batchId());
                }
                try (ItemLogFields fields = ItemLogFields.batch(change.batchId(), change.operation(), change.tenant())) {
                    logProgress(change);
                }
            }
        }
        recorded.increment(ended);
        duplicates.increment(results.size() - ended);
    }

    private void logProgress(ResultRecorder.BatchChange change) {
        if (change.ended()) {
            meters.counter("batchline.batches.finished", "status", change.status()).increment();
            batchDuration.record(java.time.Duration.ofMillis(Math.round(change.secondsTaken() * 1000)));
            // the seed's log patterns: grep "Batch.*completed", "Batch.*failed", "processing_time:"
            log.info("Batch {} {}: {} of {} items succeeded, {} failed, processing_time: {}s", change.batchId(),
                    change.status(), change.succeeded(), change.total(), change.failed(),
                    String.format(java.util.Locale.ROOT, "%.3f", change.secondsTaken()));
        } else if (change.progressStepCrossed() > 0) {
            log.info("Batch {} progress: {}% ({}/{} items ended, {} succeeded, {} failed), processing_time: {}s",
                    change.batchId(), change.progressStepCrossed(), change.endedItems(), change.total(),
                    change.succeeded(), change.failed(),
                    String.format(java.util.Locale.ROOT, "%.3f", change.secondsTaken()));
        }
    }

    private void reject(Channel channel, Message message) {
        try {
            meters.counter("batchline.tracker.dead_lettered", "queue", Topology.RESULTS_QUEUE).increment();
            channel.basicNack(message.getMessageProperties().getDeliveryTag(), false, false);
        } catch (IOException e) {
            log.warn("Could not reject an unreadable result message; it will be redelivered: {}", e.getMessage());
        }
    }

    /**
     * The results to record from one chunk: the first result of each item and round, in
     * delivery order. Later ones in the same chunk would be ignored by the database anyway
     * (the item is no longer pending); dropping them here keeps the statement deterministic.
     * The round is part of the key: a stale result of an earlier round must not shadow the
     * current round's result.
     */
    static List<ItemResult> firstPerItem(List<ItemResults> messages) {
        Set<String> seen = new HashSet<>();
        List<ItemResult> first = new ArrayList<>();
        for (ItemResults message : messages) {
            for (ItemResult result : message.results()) {
                if (seen.add(result.batchId() + ":" + result.seq() + ":" + result.round())) {
                    first.add(result);
                }
            }
        }
        return first;
    }

    private ItemResults read(Message message) {
        try {
            ItemResults parsed = json.readValue(message.getBody(), ItemResults.class);
            if (parsed.results() == null || parsed.results().stream().anyMatch(r -> r == null || r.batchId() == null || r.status() == null)) {
                throw new IllegalArgumentException("incomplete result");
            }
            return parsed;
        } catch (JacksonException | IllegalArgumentException e) {
            log.error("Unreadable result message {} sent to the results dead-letter queue: {}",
                    message.getMessageProperties().getMessageId(), e.getMessage());
            return null;
        }
    }
}
