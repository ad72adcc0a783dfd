package io.batchline.worker.consumption;

import com.rabbitmq.client.Channel;
import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
import io.batchline.model.operations.ItemPayload;
import io.batchline.worker.operations.ItemOutcome;
import io.batchline.worker.operations.OperationHandler;
import io.batchline.worker.operations.WorkItem;
import io.batchline.worker.ratelimit.GlobalRateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareBatchMessageListener;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Handles one delivery chunk of one operation's queue. In order:
 * <ol>
 * <li>a message that names no item cannot be reported: it is rejected to the dead letters;
 * <li>on the main queue, a message the broker <em>redelivered</em> (its worker died with
 *     it) is moved to the isolation queue, where items run one at a time, so a poison item
 *     can only ever take itself down;
 * <li>items of stopped batches are skipped (acknowledged, nothing reported);
 * <li>an item whose body cannot be read fails permanently and is copied to the dead letters;
 * <li>the rest wait for the operation's global rate limit, if it has one, then run through
 *     the handler with a time limit for the chunk. A retryable
 *     failure below the attempt cap goes to the delay tier for its attempt; at the cap the
 *     item fails for good and a copy goes to {@code batch.dead.<operation>}.
 * </ol>
 * Results, retries and copies are published together and confirmed, and only then is the
 * chunk acknowledged. If publishing fails, the chunk goes back to its queue.
 */
final class ItemBatchListener<P extends ItemPayload> implements ChannelAwareBatchMessageListener {

    private static final Logger log = LoggerFactory.getLogger(ItemBatchListener.class);

    private final OperationHandler<P> handler;
    private final String operation;
    private final boolean isolation;
    private final ChunkPublisher publisher;
    private final StoppedBatches stoppedBatches;
    private final GlobalRateLimiter rateLimiter;
    private final ExecutorService handlerThreads;
    private final Duration handlerTimeout;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private final Timer chunkTimer;

    ItemBatchListener(OperationHandler<P> handler, boolean isolation, ChunkPublisher publisher, StoppedBatches stoppedBatches,
                      GlobalRateLimiter rateLimiter, ExecutorService handlerThreads, Duration handlerTimeout, JsonMapper json,
                      MeterRegistry meters) {
        this.handler = handler;
        this.operation = handler.operation().name();
        this.isolation = isolation;
        this.publisher = publisher;
        this.stoppedBatches = stoppedBatches;
        this.rateLimiter = rateLimiter;
        this.handlerThreads = handlerThreads;
        this.handlerTimeout = handlerTimeout;
        this.json = json;
        this.meters = meters;
        this.chunkTimer = meters.timer("batchline.worker.chunk", "operation", operation);
    }

    /** Who an item message is about, from its headers. */
    record Identity(UUID batchId, int seq, int round, int attempt, int maxAttempts) {
    }

    private record Delivery(Message message, Identity id) {
    }

    @Override
    public void onMessageBatch(List<Message> messages, Channel channel) {
        long started = System.nanoTime();
        List<ItemResult> results = new ArrayList<>();
        List<Outgoing> outgoing = new ArrayList<>();
        // highest delivery tag not settled one by one: acking a settled tag would close the channel
        long lastTag = -1;
        try {
            List<Delivery> deliveries = new ArrayList<>(messages.size());
            for (Message message : messages) {
                long tag = message.getMessageProperties().getDeliveryTag();
                Identity id = identity(message);
                if (id == null) {
                    log.error("Item message {} on {} names no item (headers x-batch-id, x-item-seq); dead-lettering it",
                            message.getMessageProperties().getMessageId(), Topology.itemQueue(operation));
                    channel.basicNack(tag, false, false);
                    continue;
                }
                lastTag = Math.max(lastTag, tag);
                if (!isolation && Boolean.TRUE.equals(message.getMessageProperties().getRedelivered())) {
                    outgoing.add(new Outgoing("", Topology.isolationQueue(operation), copy(message, Map.of())));
                } else {
                    deliveries.add(new Delivery(message, id));
                }
            }
            if (!deliveries.isEmpty()) {
                Set<UUID> stopped = stoppedBatches.among(deliveries.stream().map(d -> d.id().batchId()).distinct().toList());
                List<Delivery> runnable = deliveries.stream().filter(d -> !stopped.contains(d.id().batchId())).toList();
                count("skipped", deliveries.size() - runnable.size());
                run(runnable, results, outgoing);
            }
            publisher.publishConfirmed(results, outgoing);
            if (lastTag >= 0) {
                channel.basicAck(lastTag, true);
            }
        } catch (IOException e) {
            log.warn("Could not acknowledge a chunk; the broker will redeliver it: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("Chunk of {} {} items could not be completed, returning it to the queue: {}",
                    messages.size(), operation, e.toString());
            requeue(channel, lastTag);
        } finally {
            chunkTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    private void run(List<Delivery> deliveries, List<ItemResult> results, List<Outgoing> outgoing) {
        List<Delivery> bound = new ArrayList<>(deliveries.size());
        List<WorkItem<P>> work = new ArrayList<>(deliveries.size());
        for (Delivery delivery : deliveries) {
            Identity id = delivery.id();
            try {
                JsonNode raw = json.readTree(delivery.message().getBody());
                work.add(new WorkItem<>(id.batchId(), id.seq(), id.attempt(), json.treeToValue(raw, handler.operation().payloadType()), raw));
                bound.add(delivery);
            } catch (JacksonException e) {
                ItemError error = new ItemError("unreadable_payload", "the item body is not a valid " + operation + " item");
                results.add(ItemResult.failed(id.batchId(), id.seq(), id.round(), id.attempt(), error));
                outgoing.add(deadCopy(delivery.message(), error));
                count("failed", 1);
            }
        }
        if (work.isEmpty()) {
            return;
        }
        try {
            rateLimiter.acquire(operation, work.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("worker stopping while waiting for the rate limit", e);
        }
        List<ItemOutcome> outcomes = handleInTime(work);
        for (int i = 0; i < bound.size(); i++) {
            settle(bound.get(i), outcomes.get(i), results, outgoing);
        }
    }

    /** Runs the handler with the operation's time limit; a chunk that overruns or blows up fails retryably. */
    private List<ItemOutcome> handleInTime(List<WorkItem<P>> work) {
        Future<List<ItemOutcome>> future = handlerThreads.submit(() -> handler.handle(work));
        try {
            List<ItemOutcome> outcomes = future.get(handlerTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (outcomes.size() != work.size()) {
                throw new IllegalStateException(handler.getClass().getSimpleName() + " returned " + outcomes.size()
                        + " outcomes for " + work.size() + " items");
            }
            return outcomes;
        } catch (TimeoutException e) {
            future.cancel(true);
            return allRetryable(work.size(), "handler.timeout", "not finished within " + handlerTimeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            log.warn("{} handler failed on a chunk of {} items: {}", operation, work.size(), cause.toString());
            return allRetryable(work.size(), "handler.error", cause.getClass().getSimpleName() + ": " + cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new IllegalStateException("worker stopping", e);
        }
    }

    private void settle(Delivery delivery, ItemOutcome outcome, List<ItemResult> results, List<Outgoing> outgoing) {
        Identity id = delivery.id();
        switch (outcome) {
            case ItemOutcome.Succeeded ok -> {
                results.add(ItemResult.succeeded(id.batchId(), id.seq(), id.round(), id.attempt(), ok.result()));
                count("succeeded", 1);
            }
            case ItemOutcome.Failed failed when failed.retryable() && id.attempt() < id.maxAttempts() -> {
                Topology.RetryTier tier = Topology.retryTierAfter(id.attempt());
                outgoing.add(new Outgoing(tier.exchange(), operation, copy(delivery.message(), Map.of(
                        Topology.HEADER_ATTEMPT, id.attempt() + 1,
                        Topology.HEADER_LAST_ERROR, failed.error().code() + ": " + failed.error().message()))));
                count("retried", 1);
            }
            case ItemOutcome.Failed failed when failed.retryable() -> {
                ItemError finalError = new ItemError(failed.error().code(),
                        failed.error().message() + " (gave up after attempt " + id.attempt() + ")");
                results.add(ItemResult.failed(id.batchId(), id.seq(), id.round(), id.attempt(), finalError));
                outgoing.add(deadCopy(delivery.message(), finalError));
                count("failed", 1);
            }
            case ItemOutcome.Failed failed -> {
                results.add(ItemResult.failed(id.batchId(), id.seq(), id.round(), id.attempt(), failed.error()));
                count("failed", 1);
            }
        }
    }

    private Outgoing deadCopy(Message message, ItemError error) {
        return new Outgoing(Topology.DEAD_EXCHANGE, operation,
                copy(message, Map.of(Topology.HEADER_LAST_ERROR, error.code() + ": " + error.message())));
    }

    /** The same body and item headers, persistent, with some headers replaced. */
    private static Message copy(Message original, Map<String, Object> changedHeaders) {
        MessageProperties source = original.getMessageProperties();
        MessageProperties properties = new MessageProperties();
        properties.setContentType(source.getContentType());
        properties.setDeliveryMode(org.springframework.amqp.core.MessageDeliveryMode.PERSISTENT);
        Map<String, Object> headers = new HashMap<>(source.getHeaders());
        headers.remove("x-death");
        headers.remove("x-delivery-count");
        headers.putAll(changedHeaders);
        headers.forEach(properties::setHeader);
        Object attempt = headers.get(Topology.HEADER_ATTEMPT);
        properties.setMessageId(headers.get(Topology.HEADER_BATCH_ID) + ":" + headers.get(Topology.HEADER_ITEM_SEQ) + ":" + attempt);
        return new Message(original.getBody(), properties);
    }

    private static List<ItemOutcome> allRetryable(int n, String code, String message) {
        List<ItemOutcome> outcomes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            outcomes.add(ItemOutcome.retryableFailure(code, message));
        }
        return outcomes;
    }

    private void count(String outcome, int n) {
        if (n > 0) {
            meters.counter("batchline.worker.items", "operation", operation, "status", outcome).increment(n);
        }
    }

    static @Nullable Identity identity(Message message) {
        Map<String, Object> headers = message.getMessageProperties().getHeaders();
        try {
            Object batchId = headers.get(Topology.HEADER_BATCH_ID);
            if (batchId == null || !(headers.get(Topology.HEADER_ITEM_SEQ) instanceof Number seq)) {
                return null;
            }
            int attempt = headers.get(Topology.HEADER_ATTEMPT) instanceof Number a ? a.intValue() : 1;
            int maxAttempts = headers.get(Topology.HEADER_MAX_ATTEMPTS) instanceof Number m ? m.intValue() : attempt;
            int round = headers.get(Topology.HEADER_ROUND) instanceof Number r ? r.intValue() : 0;
            return new Identity(UUID.fromString(batchId.toString()), seq.intValue(), round, attempt, maxAttempts);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void requeue(Channel channel, long lastTag) {
        if (lastTag < 0) {
            return;
        }
        try {
            // a short pause keeps an outage (broker confirms, network) from becoming a hot loop
            Thread.sleep(500);
            channel.basicNack(lastTag, true, true);
        } catch (IOException e) {
            log.warn("Could not requeue a chunk; the broker redelivers it when the channel closes");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
