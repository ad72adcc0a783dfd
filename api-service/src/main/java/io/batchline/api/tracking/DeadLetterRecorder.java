package io.batchline.api.tracking;

import com.rabbitmq.client.Channel;
import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
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
import org.springframework.stereotype.Component;

/**
 * Records the items the broker dead-lettered by itself. The usual case is the quorum
 * queue's delivery limit: the item was delivered again and again without ever being
 * acknowledged, because it crashes the worker that runs it. Such an item is recorded
 * {@code failed} ("delivery limit exceeded") so its batch can end, while the message stays
 * in {@code batch.dead.<operation>} for an operator. Dead letters a worker published itself
 * (attempts exhausted, unreadable body) carry no {@code x-death} header: their item was
 * already reported, so they are only acknowledged here.
 */
@Component
class DeadLetterRecorder implements ChannelAwareBatchMessageListener {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterRecorder.class);

    private final ResultRecorder recorder;

    DeadLetterRecorder(ResultRecorder recorder) {
        this.recorder = recorder;
    }

    @Override
    public void onMessageBatch(List<Message> messages, Channel channel) {
        List<ItemResult> failures = new ArrayList<>();
        long lastTag = -1;
        for (Message message : messages) {
            lastTag = Math.max(lastTag, message.getMessageProperties().getDeliveryTag());
            ItemResult failure = failureOf(message);
            if (failure != null) {
                failures.add(failure);
            }
        }
        try {
            if (!failures.isEmpty()) {
                recorder.record(failures);
                log.warn("Recorded {} dead-lettered items as failed, e.g. item {} of batch {}: {}", failures.size(),
                        failures.getFirst().seq(), failures.getFirst().batchId(), failures.getFirst().error().message());
            }
            if (lastTag >= 0) {
                channel.basicAck(lastTag, true);
            }
        } catch (IOException e) {
            log.warn("Could not acknowledge dead letters; they will be redelivered and recorded once");
        } catch (RuntimeException e) {
            log.warn("Recording dead letters failed, requeueing them: {}", e.getMessage());
            try {
                channel.basicNack(lastTag, true, true);
            } catch (IOException ignored) {
                // the channel is gone; the broker redelivers
            }
        }
    }

    static @Nullable ItemResult failureOf(Message message) {
        List<Map<String, ?>> deaths = message.getMessageProperties().getXDeathHeader();
        Map<String, Object> headers = message.getMessageProperties().getHeaders();
        if (deaths == null || deaths.isEmpty() || !(headers.get(Topology.HEADER_ITEM_SEQ) instanceof Number seq)) {
            return null;
        }
        try {
            UUID batchId = UUID.fromString(String.valueOf(headers.get(Topology.HEADER_BATCH_ID)));
            int round = headers.get(Topology.HEADER_ROUND) instanceof Number r ? r.intValue() : 0;
            int attempt = headers.get(Topology.HEADER_ATTEMPT) instanceof Number a ? a.intValue() : 1;
            Map<String, ?> death = deaths.getFirst();
            String reason = String.valueOf(death.get("reason"));
            String queue = String.valueOf(death.get("queue"));
            ItemError error = "delivery_limit".equals(reason)
                    ? new ItemError("delivery_limit_exceeded", "delivered too often without finishing (it may crash its worker); "
                            + "dead-lettered from " + queue)
                    : new ItemError("dead_lettered", "dead-lettered from " + queue + " (" + reason + ")");
            return ItemResult.failed(batchId, seq.intValue(), round, attempt, error);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
