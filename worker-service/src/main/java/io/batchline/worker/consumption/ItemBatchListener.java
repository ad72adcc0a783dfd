package io.batchline.worker.consumption;

import com.rabbitmq.client.Channel;
import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
import io.batchline.model.operations.ItemPayload;
import io.batchline.worker.operations.ItemOutcome;
import io.batchline.worker.operations.OperationHandler;
import io.batchline.worker.operations.WorkItem;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareBatchMessageListener;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Handles one delivery chunk of one operation's queue: binds each item, runs the handler
 * over the chunk, publishes all results in one confirmed message and only then acks the
 * chunk. A message that names no item cannot be reported, so it is dead-lettered; an item
 * whose body cannot be read is reported failed; a handler that cannot handle the chunk at
 * all gets the chunk back on the queue (the queue's delivery limit ends any loop).
 */
final class ItemBatchListener<P extends ItemPayload> implements ChannelAwareBatchMessageListener {

    private static final Logger log = LoggerFactory.getLogger(ItemBatchListener.class);

    private final OperationHandler<P> handler;
    private final ResultPublisher results;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private final Timer chunkTimer;

    ItemBatchListener(OperationHandler<P> handler, ResultPublisher results, JsonMapper json, MeterRegistry meters) {
        this.handler = handler;
        this.results = results;
        this.json = json;
        this.meters = meters;
        this.chunkTimer = meters.timer("batchline.worker.chunk", "operation", handler.operation().name());
    }

    private record Identity(UUID batchId, int seq, int attempt) {
    }

    @Override
    public void onMessageBatch(List<Message> messages, Channel channel) {
        long started = System.nanoTime();
        List<ItemResult> outcomes = new ArrayList<>(messages.size());
        List<WorkItem<P>> work = new ArrayList<>(messages.size());
        // highest delivery tag not settled one by one: acking a settled tag would close the channel
        long lastTag = -1;
        try {
            for (Message message : messages) {
                long tag = message.getMessageProperties().getDeliveryTag();
                Identity id = identity(message);
                if (id == null) {
                    log.error("Item message {} carries no batch id / seq headers; dead-lettering it",
                            message.getMessageProperties().getMessageId());
                    channel.basicNack(tag, false, false);
                    continue;
                }
                lastTag = Math.max(lastTag, tag);
                try {
                    JsonNode raw = json.readTree(message.getBody());
                    P payload = json.treeToValue(raw, handler.operation().payloadType());
                    work.add(new WorkItem<>(id.batchId(), id.seq(), id.attempt(), payload, raw));
                } catch (JacksonException e) {
                    outcomes.add(ItemResult.failed(id.batchId(), id.seq(), id.attempt(),
                            new ItemError("unreadable_payload", "the item body is not a valid "
                                    + handler.operation().name() + " item")));
                }
            }
            if (!work.isEmpty()) {
                List<ItemOutcome> handled = handler.handle(work);
                if (handled.size() != work.size()) {
                    throw new IllegalStateException(handler.getClass().getSimpleName() + " returned " + handled.size()
                            + " outcomes for " + work.size() + " items");
                }
                for (int i = 0; i < work.size(); i++) {
                    outcomes.add(toResult(work.get(i), handled.get(i)));
                }
            }
            results.publishConfirmed(outcomes);
            if (lastTag >= 0) {
                channel.basicAck(lastTag, true);
            }
            count(outcomes);
        } catch (IOException e) {
            log.warn("Could not acknowledge a chunk; the broker will redeliver it: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("Chunk of {} {} items could not be handled, returning it to the queue: {}",
                    messages.size(), handler.operation().name(), e.toString());
            requeue(channel, lastTag);
        } finally {
            chunkTimer.record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private static ItemResult toResult(WorkItem<?> item, ItemOutcome outcome) {
        return switch (outcome) {
            case ItemOutcome.Succeeded ok -> ItemResult.succeeded(item.batchId(), item.seq(), item.attempt(), ok.result());
            case ItemOutcome.Failed failed -> ItemResult.failed(item.batchId(), item.seq(), item.attempt(), failed.error());
        };
    }

    private void count(List<ItemResult> outcomes) {
        Map<String, Long> byStatus = new java.util.HashMap<>();
        for (ItemResult r : outcomes) {
            byStatus.merge(r.status().wireName(), 1L, Long::sum);
        }
        byStatus.forEach((status, n) -> meters.counter("batchline.worker.items",
                "operation", handler.operation().name(), "status", status).increment(n));
    }

    private static @Nullable Identity identity(Message message) {
        Map<String, Object> headers = message.getMessageProperties().getHeaders();
        try {
            Object batchId = headers.get(Topology.HEADER_BATCH_ID);
            Object seq = headers.get(Topology.HEADER_ITEM_SEQ);
            Object attempt = headers.getOrDefault(Topology.HEADER_ATTEMPT, 1);
            if (batchId == null || !(seq instanceof Number) || !(attempt instanceof Number)) {
                return null;
            }
            return new Identity(UUID.fromString(batchId.toString()), ((Number) seq).intValue(), ((Number) attempt).intValue());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void requeue(Channel channel, long lastTag) {
        if (lastTag < 0) {
            return;
        }
        try {
            // a short pause keeps an outage (database, downstream service) from becoming a hot loop
            Thread.sleep(500);
            channel.basicNack(lastTag, true, true);
        } catch (IOException e) {
            log.warn("Could not requeue a chunk; the broker redelivers it when the channel closes");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
