package io.batchline.api.tracking;

import com.rabbitmq.client.Channel;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.ItemResults;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * same way every time); a database failure requeues the whole chunk, which is safe because
 * recording is idempotent.
 */
@Component
class ResultTracker implements ChannelAwareBatchMessageListener {

    private static final Logger log = LoggerFactory.getLogger(ResultTracker.class);

    private final ResultRecorder recorder;
    private final JsonMapper json;
    private final Counter recorded;
    private final Counter duplicates;
    private final MeterRegistry meters;
    private final io.micrometer.core.instrument.Timer batchDuration;

    ResultTracker(ResultRecorder recorder, JsonMapper json, MeterRegistry meters) {
        this.recorder = recorder;
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
        List<ItemResults> readable = new ArrayList<>();
        List<ItemResult> results = List.of();
        // highest delivery tag not settled one by one: acking a settled tag would close the channel
        long lastTag = -1;
        try {
            for (Message message : messages) {
                long tag = message.getMessageProperties().getDeliveryTag();
                ItemResults parsed = read(message);
                if (parsed == null) {
                    channel.basicNack(tag, false, false);
                    continue;
                }
                lastTag = Math.max(lastTag, tag);
                readable.add(parsed);
            }
            results = firstPerItem(readable);
            int ended = 0;
            if (!results.isEmpty()) {
                for (ResultRecorder.BatchChange change : recorder.record(results)) {
                    ended += change.itemsChanged();
                    if ("completed".equals(change.status())) {
                        meters.counter("batchline.batches.finished", "status", change.status()).increment();
                        batchDuration.record(java.time.Duration.ofMillis(Math.round(change.secondsTaken() * 1000)));
                        log.info("Batch {} completed in {} s", change.batchId(), change.secondsTaken());
                    }
                }
            }
            recorded.increment(ended);
            duplicates.increment(results.size() - ended);
            if (lastTag >= 0) {
                channel.basicAck(lastTag, true);
            }
        } catch (IOException e) {
            log.warn("Could not acknowledge results; they will be redelivered and counted once: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.warn("Recording {} results failed, requeueing them: {}", results.size(), e.getMessage());
            requeue(channel, lastTag);
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

    private static void requeue(Channel channel, long lastTag) {
        if (lastTag < 0) {
            return;
        }
        try {
            // a short pause keeps a database outage from turning into a hot redelivery loop
            Thread.sleep(1000);
            channel.basicNack(lastTag, true, true);
        } catch (IOException e) {
            log.warn("Could not requeue results; the broker redelivers them when the channel closes");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
