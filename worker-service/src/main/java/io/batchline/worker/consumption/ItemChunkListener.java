package io.batchline.worker.consumption;

import com.rabbitmq.client.Channel;
import io.batchline.model.messaging.ItemActivity;
import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemHeaders;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
import io.batchline.model.operations.ItemPayload;
import io.batchline.support.OutagePause;
import io.batchline.support.TransientFailures;
import io.batchline.support.tracing.ItemLogFields;
import io.batchline.support.tracing.ItemTracing;
import io.batchline.worker.operations.ItemOutcome;
import io.batchline.worker.operations.OperationHandler;
import io.batchline.worker.operations.WorkItem;
import io.batchline.worker.ratelimit.GlobalRateLimiter;
import io.batchline.worker.retry.Decision;
import io.batchline.worker.retry.RetryPolicy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareBatchMessageListener;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Handles one delivery chunk of one operation's queue, from the messages to one
 * acknowledgement:
 * <ol>
 * <li>each message is split into the items it carries: one, or a pack's ({@link Delivery});
 *     a message that names no item cannot be reported: it is rejected to the dead letters;
 * <li>on the main queue, a message the broker <em>redelivered</em> (its worker died with
 *     it) moves to the isolation queue, where items run one at a time; a redelivered pack's
 *     items go back to the main queue one per message first (so a lost connection does not
 *     send thousands of items to run one by one), and are isolated if they crash again;
 * <li>items of a batch round that is stopping are reported with the stop's outcome, items
 *     of an ended or earlier round are dropped ({@link StoppedBatches});
 * <li>the rest are bound to their payload records (an unreadable body gives up at once) and
 *     run through the handler ({@link HandlerRun}) in slices of at most the chunk size (a
 *     batch may ask for smaller ones, or fewer at once: {@link HandlerSlices}), each slice
 *     after waiting for its share of the operation's rate limit;
 * <li>the {@link RetryPolicy} turns each outcome into a result, a retry or a dead letter;
 * <li>everything is published with confirms ({@link ChunkPublisher}), then the chunk is
 *     acknowledged with one multiple-ack.
 * </ol>
 * When the database or the broker is unavailable the chunk is held and tried again with
 * backoff, unacknowledged, so an outage spends no attempt and no delivery budget. Anything
 * else that goes wrong is a fault of the chunk: it goes back to the queue, and its items
 * end up in the isolation queue, one at a time, until the poison one is dead-lettered.
 */
final class ItemChunkListener<P extends ItemPayload> implements ChannelAwareBatchMessageListener {

    private static final Logger log = LoggerFactory.getLogger(ItemChunkListener.class);
    /** Slices running longer than this since the chunk's last publish send their results before the next slice. */
    private static final long PROGRESS_NANOS = java.time.Duration.ofMillis(250).toNanos();
    private static final ItemError CRASHED = new ItemError(ItemActivity.CRASHED_CODE,
            "delivered again without a result: the worker holding it stopped or died");

    private final OperationHandler<P> handler;
    private final String operation;
    private final boolean isolation;
    private final ChunkPublisher publisher;
    private final StoppedBatches stoppedBatches;
    private final BatchConcurrency concurrency;
    private final ActivityNotes notes;
    private final WorkerActivity activity;
    private final GlobalRateLimiter rateLimiter;
    private final HandlerRun<P> handlerRun;
    private final RetryPolicy retryPolicy = new RetryPolicy();
    private final WorkerSettings settings;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private final Timer chunkTimer;
    private final io.micrometer.core.instrument.DistributionSummary chunkSizes;
    private final ItemTracing tracing;

    ItemChunkListener(OperationHandler<P> handler, boolean isolation, ChunkPublisher publisher, StoppedBatches stoppedBatches,
                      BatchConcurrency concurrency, ActivityNotes notes, WorkerActivity activity,
                      GlobalRateLimiter rateLimiter, HandlerRun<P> handlerRun, WorkerSettings settings, JsonMapper json,
                      MeterRegistry meters, ItemTracing tracing) {
        this.tracing = tracing;
        this.concurrency = concurrency;
        this.notes = notes;
        this.activity = activity;
        this.handler = handler;
        this.operation = handler.operation().name();
        this.isolation = isolation;
        this.publisher = publisher;
        this.stoppedBatches = stoppedBatches;
        this.rateLimiter = rateLimiter;
        this.handlerRun = handlerRun;
        this.settings = settings;
        this.json = json;
        this.meters = meters;
        this.chunkTimer = meters.timer("batchline.worker.chunk", "operation", operation);
        // seed 003's batch_chunk_size{operation}: items per handler call, after a batch's chunkSize
        this.chunkSizes = io.micrometer.core.instrument.DistributionSummary.builder("batch.chunk.size")
                .description("items handed to the handler in one call").tag("operation", operation).register(meters);
    }

    private record Note(ItemActivity.Kind kind, List<ItemActivity.Item> items) {
    }

    /** What a chunk produced, published together; counted only once it is acknowledged. */
    private static final class Produced {
        final List<ItemResult> results = new ArrayList<>();
        final List<Outgoing> outgoing = new ArrayList<>();
        final Map<String, Integer> counts = new TreeMap<>();
        /** Retries by delay tier, so a dashboard shows which tiers fill (batchline_worker_retries_total). */
        final Map<String, Integer> retriesByTier = new TreeMap<>();
        /** Activity notes, sent after the acknowledgement and best effort: a note must never hold up an outcome. */
        final List<Note> notes = new ArrayList<>();

        void count(String outcome) {
            counts.merge(outcome, 1, Integer::sum);
        }
    }

    @Override
    public void onMessageBatch(List<Message> messages, Channel channel) {
        long started = System.nanoTime();
        // highest delivery tag not settled one by one: acking a settled tag would close the channel
        long lastTag = -1;
        List<Delivery> deliveries = new ArrayList<>(messages.size());
        try {
            for (Message message : messages) {
                long tag = message.getMessageProperties().getDeliveryTag();
                List<Delivery> items = Delivery.of(message, json);
                if (items.isEmpty()) {
                    log.error("Item message {} of {} names no item (headers x-batch-id, x-item-seq, x-item-seqs); dead-lettering it",
                            message.getMessageProperties().getMessageId(), operation);
                    channel.basicNack(tag, false, false);
                    continue;
                }
                lastTag = Math.max(lastTag, tag);
                deliveries.addAll(items);
            }
            if (lastTag < 0) {
                return;
            }
            try (ItemLogFields fields = ItemLogFields.chunk(deliveries, d -> d.item().batchId(), d -> d.item().seq(),
                         d -> d.item().attempt(), operation, d -> d.item().traits().tenant());
                 ChunkSpans spans = ChunkSpans.start(tracing, operation, isolation, deliveries);
                 WorkerActivity.Release held = activity.holding(operation, deliveries)) {
                Produced produced = handle(deliveries, spans);
                holdingThroughOutages("Publishing the results of a chunk of " + operation, () -> {
                    publisher.publishConfirmed(produced.results, produced.outgoing, spans.parents());
                    return null;
                });
                channel.basicAck(lastTag, true);
                produced.notes.forEach(note -> notes.send(note.kind(), note.items()));
                produced.counts.forEach((outcome, n) ->
                        meters.counter("batchline.worker.items", "operation", operation, "status", outcome).increment(n));
                produced.retriesByTier.forEach((tier, n) ->
                        meters.counter("batchline.worker.retries", "operation", operation, "tier", tier).increment(n));
            }
        } catch (HandlerRun.WorkerStopping e) {
            log.info("Worker stopping with a chunk of {} {} items in hand; the broker redelivers it", deliveries.size(), operation);
        } catch (HeldTooLong e) {
            handBack(deliveries, channel, lastTag);
        } catch (IOException e) {
            log.warn("Could not acknowledge a chunk; the broker will redeliver it: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("Chunk of {} {} items failed ({}); returning it to the queue, where its items are isolated",
                    messages.size(), operation, e.toString());
            requeue(channel, lastTag);
        } finally {
            chunkTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    private Produced handle(List<Delivery> deliveries, ChunkSpans spans) {
        Produced produced = new Produced();
        List<Delivery> candidates = new ArrayList<>(deliveries.size());
        List<ItemActivity.Item> crashed = new ArrayList<>();
        for (Delivery delivery : deliveries) {
            if (!isolation && Boolean.TRUE.equals(delivery.message().getMessageProperties().getRedelivered())) {
                crashed.add(ItemActivity.Item.of(delivery.item(), CRASHED));
                if (delivery.packed() != null) {
                    // a pack goes back to the main queue as single items, not to isolation: a broker
                    // node or connection lost takes every pack a worker held (up to ten times its
                    // prefetch in items), too many to run one at a time; a poison item among them
                    // crashes one more chunk of single items, and those are isolated
                    produced.outgoing.add(MessageCopies.again(delivery, operation, false));
                    continue;
                }
                produced.outgoing.add(MessageCopies.toIsolation(delivery, operation));
                try (ItemLogFields fields = itemFields(delivery)) {
                    log.info("Item {} of batch {} was delivered again (its worker stopped or died holding it); it runs alone in {}",
                            delivery.item().seq(), delivery.item().batchId(), Topology.isolationQueue(operation));
                }
            } else {
                candidates.add(delivery);
            }
        }
        if (!crashed.isEmpty()) {
            produced.notes.add(new Note(ItemActivity.Kind.CRASHED, crashed));
        }
        List<Delivery> runnable = holdingThroughOutages("Checking the stops of a chunk of " + operation,
                () -> withoutStopped(candidates, produced));
        List<Delivery> bound = new ArrayList<>(runnable.size());
        List<WorkItem<P>> work = new ArrayList<>(runnable.size());
        for (Delivery delivery : runnable) {
            ItemHeaders item = delivery.item();
            try {
                JsonNode raw = delivery.payload(json);
                if (raw == null || raw.isMissingNode()) {
                    apply(delivery, retryPolicy.unreadable(item, operation), produced);
                    continue;
                }
                work.add(new WorkItem<>(item.batchId(), item.seq(), item.attempt(),
                        json.treeToValue(raw, handler.operation().payloadType()), raw, item.traits().tenant()));
                bound.add(delivery);
            } catch (JacksonException e) {
                apply(delivery, retryPolicy.unreadable(item, operation), produced);
            }
        }
        List<ItemActivity.Item> retrying = new ArrayList<>();
        List<HandlerSlices.Slice> slices = HandlerSlices.of(bound, settings.chunkSizeFor(operation), settings.concurrencyFor(operation));
        long lastPublished = System.nanoTime();
        for (int s = 0; s < slices.size(); s++) {
            HandlerSlices.Slice slice = slices.get(s);
            if (s > 0 && System.nanoTime() - lastPublished >= PROGRESS_NANOS) {
                // what the slices so far produced goes out now (confirmed), so a batch run in
                // slow, small or capped slices shows progress as it goes; quick slices (a chunk of
                // packs of fast items) go out together, one confirm for the chunk. The
                // acknowledgement still comes once for the whole chunk, and a result sent twice
                // is recorded once
                publishSoFar(produced, spans);
                lastPublished = System.nanoTime();
            }
            // the rate limit is taken slice by slice, just before each runs: a chunk of packs holds
            // many slices, and waiting for all of its tokens up front would hold every item of
            // it, resultless, for as long as the whole chunk's share of the limit takes
            holdingThroughOutages("Waiting for the rate limit of " + operation, () -> {
                waitForRateLimit(slice.indexes().size());
                return null;
            });
            // a stop that came while earlier slices ran (or while this one waited for the rate
            // limit) applies to this one: a capped batch runs slice after slice for long, and a
            // cancel must not wait for the whole delivery chunk
            List<Integer> indexes = s == 0 && System.nanoTime() - lastPublished < PROGRESS_NANOS
                    ? slice.indexes() : stillRunnable(slice.indexes(), bound, produced);
            if (indexes.isEmpty()) {
                continue;
            }
            List<WorkItem<P>> sliceWork = indexes.stream().map(work::get).toList();
            List<ItemActivity.Item> announced = indexes.stream().map(i -> ItemActivity.Item.of(bound.get(i).item(), null)).toList();
            // an outage holds this slice only: slices already run have committed and are not run again
            List<ItemOutcome> outcomes = holdingThroughOutages("Running a chunk of " + operation,
                    () -> runSlice(slice, sliceWork, announced));
            for (int i = 0; i < sliceWork.size(); i++) {
                Delivery delivery = bound.get(indexes.get(i));
                Decision decision = retryPolicy.after(delivery.item(), outcomes.get(i));
                if (decision instanceof Decision.RetryLater retry) {
                    // the tier's TTL starts when the chunk's messages are published, a moment from now
                    retrying.add(ItemActivity.Item.retrying(delivery.item(), retry.error(), retry.tier(),
                            Instant.now().plus(retry.tier().delay())));
                }
                apply(delivery, decision, produced);
            }
        }
        if (!retrying.isEmpty()) {
            produced.notes.add(new Note(ItemActivity.Kind.RETRYING, retrying));
        }
        return produced;
    }

    private void publishSoFar(Produced produced, ChunkSpans spans) {
        if (produced.results.isEmpty() && produced.outgoing.isEmpty()) {
            return;
        }
        holdingThroughOutages("Publishing the results of a chunk of " + operation, () -> {
            publisher.publishConfirmed(produced.results, produced.outgoing, spans.parents());
            return null;
        });
        produced.results.clear();
        produced.outgoing.clear();
    }

    /**
     * Runs one slice: under its batch's concurrency cap when it has one, announced as
     * started if it runs long.
     */
    private List<ItemOutcome> runSlice(HandlerSlices.Slice slice, List<WorkItem<P>> sliceWork, List<ItemActivity.Item> items) {
        try (AutoCloseable permit = slice.maxConcurrency() > 0 ? concurrency.acquire(slice.batchId(), slice.maxConcurrency()) : null;
             AutoCloseable announced = notes.started(items)) {
            chunkSizes.record(sliceWork.size());
            return handlerRun.run(sliceWork);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HandlerRun.WorkerStopping(e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The slice's items whose batch has not begun stopping meanwhile; the others are reported or dropped. */
    private List<Integer> stillRunnable(List<Integer> indexes, List<Delivery> bound, Produced produced) {
        List<Delivery> slice = indexes.stream().map(bound::get).toList();
        java.util.Set<Delivery> runnable = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        runnable.addAll(holdingThroughOutages("Checking the stops of a chunk of " + operation,
                () -> withoutStopped(slice, produced)));
        return indexes.stream().filter(i -> runnable.contains(bound.get(i))).toList();
    }

    /** Reports the items of stopping rounds with the stop's outcome and drops stale ones; returns the rest. */
    private List<Delivery> withoutStopped(List<Delivery> deliveries, Produced produced) {
        if (deliveries.isEmpty()) {
            return deliveries;
        }
        Map<UUID, StoppedBatches.Verdict> verdicts = stoppedBatches.verdicts(
                deliveries.stream().map(d -> d.item().batchId()).distinct().toList());
        List<Delivery> runnable = new ArrayList<>(deliveries.size());
        for (Delivery delivery : deliveries) {
            ItemHeaders item = delivery.item();
            StoppedBatches.Verdict verdict = verdicts.get(item.batchId());
            StoppedBatches.Kind kind = verdict == null ? StoppedBatches.Kind.RUN : verdict.forRound(item.round());
            switch (kind) {
                case RUN -> runnable.add(delivery);
                case STOPPING -> {
                    produced.results.add(ItemResult.stopped(item.batchId(), item.seq(), item.round(), item.attempt(),
                            verdict.outcome().itemStatus(), verdict.error()));
                    produced.count("stopped");
                }
                case STALE -> produced.count("stale");
            }
        }
        return runnable;
    }

    private void apply(Delivery delivery, Decision decision, Produced produced) {
        switch (decision) {
            case Decision.Report report -> {
                produced.results.add(report.result());
                produced.count(report.result().status().wireName());
            }
            case Decision.RetryLater retry -> {
                produced.outgoing.add(MessageCopies.toRetry(delivery, retry.tier(), retry.next(), retry.lastError(), operation));
                produced.count("retried");
                produced.retriesByTier.merge(retry.tier().name(), 1, Integer::sum);
                if (log.isDebugEnabled()) {
                    try (ItemLogFields fields = itemFields(delivery)) {
                        log.debug("Item {} of batch {} retries in {} after attempt {}: {}", delivery.item().seq(),
                                delivery.item().batchId(), retry.tier().delay(), delivery.item().attempt(), retry.lastError());
                    }
                }
            }
            case Decision.GiveUp giveUp -> {
                produced.results.add(giveUp.result());
                produced.outgoing.add(MessageCopies.toDeadLetters(delivery, giveUp.lastError(), operation));
                produced.count("failed");
                if (log.isDebugEnabled()) {
                    try (ItemLogFields fields = itemFields(delivery)) {
                        log.debug("Item {} of batch {} failed for good after attempt {}, copied to {}: {}", delivery.item().seq(),
                                delivery.item().batchId(), delivery.item().attempt(), Topology.deadQueue(operation), giveUp.lastError());
                    }
                }
            }
        }
    }

    private ItemLogFields itemFields(Delivery delivery) {
        ItemHeaders item = delivery.item();
        return ItemLogFields.item(item.batchId(), item.seq(), item.attempt(), operation, item.traits().tenant());
    }

    private void waitForRateLimit(int items) {
        try {
            rateLimiter.acquire(operation, items);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HandlerRun.WorkerStopping(e);
        }
    }

    /**
     * Runs {@code step}, and while it fails because the database or the broker is
     * unavailable, holds the chunk and runs it again with backoff.
     */
    private <T> T holdingThroughOutages(String what, Supplier<T> step) {
        OutagePause pause = null;
        while (true) {
            try {
                T result = step.get();
                if (pause != null) {
                    pause.resumed();
                }
                return result;
            } catch (RuntimeException e) {
                if (e instanceof HandlerRun.WorkerStopping || !TransientFailures.isTransient(e)) {
                    throw e;
                }
                if (pause == null) {
                    pause = new OutagePause(log, what, settings.outageFirstBackoff(), settings.outageLongestBackoff());
                }
                meters.counter("batchline.worker.outage.pauses", "operation", operation).increment();
                if (!pause.pause(e)) {
                    throw new HandlerRun.WorkerStopping(e);
                }
                if (pause.elapsed().compareTo(settings.maxHold()) > 0) {
                    throw new HeldTooLong();
                }
            }
        }
    }

    /**
     * The chunk was held longer than the broker lets a consumer sit on a delivery: put the
     * same items back into their queue as new messages (confirmed), then acknowledge.
     */
    private void handBack(List<Delivery> deliveries, Channel channel, long lastTag) {
        List<Outgoing> copies = deliveries.stream().map(d -> MessageCopies.again(d, operation, isolation)).toList();
        OutagePause pause = new OutagePause(log, "Putting back a held chunk of " + operation, settings.outageFirstBackoff(),
                settings.outageLongestBackoff());
        // never return with the chunk unsettled: the next chunk's multiple-ack would cover it
        while (true) {
            try {
                publisher.publishConfirmed(List.of(), copies, Map.of());
                channel.basicAck(lastTag, true);
                log.warn("Held a chunk of {} {} items past {} through an outage; put them back as new messages",
                        deliveries.size(), operation, settings.maxHold());
                return;
            } catch (IOException e) {
                log.warn("Could not acknowledge a chunk put back as new messages; the broker redelivers it: {}", e.getMessage());
                return;
            } catch (RuntimeException e) {
                if (!pause.pause(e)) {
                    return; // stopping: the channel closes and the broker redelivers the chunk
                }
            }
        }
    }

    private static void requeue(Channel channel, long lastTag) {
        if (lastTag < 0) {
            return;
        }
        try {
            channel.basicNack(lastTag, true, true);
        } catch (IOException e) {
            log.warn("Could not requeue a chunk; the broker redelivers it when the channel closes");
        }
    }

    private static final class HeldTooLong extends RuntimeException {
        HeldTooLong() {
            super("held too long", null, false, false);
        }
    }
}
