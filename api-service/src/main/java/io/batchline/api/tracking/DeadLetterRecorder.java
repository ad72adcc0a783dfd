package io.batchline.api.tracking;

import com.rabbitmq.client.Channel;
import io.batchline.model.messaging.Deaths;
import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemActivity;
import io.batchline.model.messaging.ItemHeaders;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
import io.batchline.support.tracing.ItemLogFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * already reported, so they are only acknowledged here. A database outage pauses the
 * recorder like the tracker ({@link ChunkCommitter}); a dead letter it cannot record at all
 * goes to {@code batch.dead.unrecorded}.
 */
@Component
class DeadLetterRecorder implements ChannelAwareBatchMessageListener {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterRecorder.class);

    private final ResultRecorder recorder;
    private final ChunkCommitter committer;

    DeadLetterRecorder(ResultRecorder recorder, ChunkCommitter committer) {
        this.recorder = recorder;
        this.committer = committer;
    }

    @Override
    public void onMessageBatch(List<Message> messages, Channel channel) {
        List<ChunkCommitter.Entry<List<DeadItem>>> entries = new ArrayList<>(messages.size());
        for (Message message : messages) {
            entries.add(new ChunkCommitter.Entry<>(message, failuresOf(message)));
        }
        committer.commit(entries, channel, this::record, Topology.DEAD_RECORDER_QUEUE);
    }

    /** A dead letter the broker made: the item it names and the failure to record for it. */
    record DeadItem(ItemHeaders item, ItemResult failure) {
    }

    private void record(List<List<DeadItem>> values) {
        List<DeadItem> dead = values.stream().flatMap(List::stream).toList();
        if (dead.isEmpty()) {
            return;
        }
        recorder.record(dead.stream().map(DeadItem::failure).toList());
        // rare (crashing items, expired messages) and each one worth an operator's look
        for (DeadItem item : dead) {
            ItemHeaders id = item.item();
            try (ItemLogFields fields = ItemLogFields.item(id.batchId(), id.seq(), id.attempt(), id.operation(), id.traits().tenant())) {
                log.warn("Recorded dead-lettered item {} of batch {} as failed: {}", id.seq(), id.batchId(),
                        item.failure().error().message());
            }
        }
    }

    /**
     * The failures to record for a dead letter the broker made, one for each item it carries
     * (a pack carries several), or none for one a worker published itself (its item was
     * reported already). The broker's {@code x-death} says which; a copy re-published after a
     * long hold or an admin's replay carries the same facts in {@code x-batchline-death},
     * because a broker ignores a client's {@code x-death}.
     */
    static List<DeadItem> failuresOf(Message message) {
        Optional<Deaths.Death> death = Deaths.of(message.getMessageProperties());
        List<ItemHeaders> items = ItemHeaders.readAll(message.getMessageProperties().getHeaders());
        if (death.isEmpty() || items.isEmpty()) {
            return List.of();
        }
        String reason = death.get().reason();
        String queue = death.get().queue();
        // only a worker that dies (or is stopped) holding an item leaves it unacknowledged
        // for the broker to deliver again, so a spent delivery limit means repeated crashes
        ItemError error = "delivery_limit".equals(reason)
                ? new ItemError(ItemActivity.CRASHED_CODE, "its worker stopped or died holding it on every delivery "
                        + "(the item may crash its worker); dead-lettered from " + queue)
                : new ItemError("dead_lettered", "dead-lettered from " + queue + " (" + reason + ")");
        return items.stream()
                .map(id -> new DeadItem(id, ItemResult.failed(id.batchId(), id.seq(), id.round(), id.attempt(), error)))
                .toList();
    }
}
