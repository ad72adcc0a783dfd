package io.batchline.api.tracking;

import com.rabbitmq.client.Channel;
import io.batchline.support.OutagePause;
import io.batchline.support.TransientFailures;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Commits a chunk of messages to the database and then acknowledges them, for the tracker
 * and the dead-letter recorder alike. Three rules:
 * <ol>
 * <li>A transient failure (database down, restarting, out of connections) pauses: the
 *     chunk is held, unacknowledged, and tried again with backoff, for as long as the
 *     outage lasts. Nothing goes back to the queue, so no delivery budget is spent. If the
 *     hold grows longer than {@code maxHold} (the broker would close a consumer that sits
 *     on a delivery for its consumer timeout), the chunk is re-published as new messages,
 *     confirmed, and only then acknowledged: the same results, a fresh budget.
 * <li>Any other failure means some message of the chunk is poison for the database. The
 *     chunk is then committed one message at a time, and only the messages that fail on
 *     their own are rejected to their dead-letter queue (where an admin can replay them).
 * <li>Acknowledgements follow the commit, never precede it.
 * </ol>
 */
@Component
class ChunkCommitter {

    private static final Logger log = LoggerFactory.getLogger(ChunkCommitter.class);

    private final RabbitTemplate rabbit;
    private final TrackerSettings settings;
    private final MeterRegistry meters;
    private final JdbcClient jdbc;

    ChunkCommitter(RabbitTemplate rabbit, TrackerSettings settings, MeterRegistry meters, JdbcClient jdbc) {
        this.rabbit = rabbit;
        this.jdbc = jdbc;
        this.settings = settings;
        this.meters = meters;
    }

    /** One message and what it carries. */
    record Entry<T>(Message message, T value) {

        long tag() {
            return message.getMessageProperties().getDeliveryTag();
        }
    }

    /**
     * Commits {@code entries} with {@code commit} (one transaction for the list it is given)
     * and acknowledges them.
     *
     * @param queue     the queue they came from, for logs and metrics
     * @param exchange  where to re-publish them after a long hold
     * @param routingKey the routing key for that
     */
    <T> void commit(List<Entry<T>> entries, Channel channel, Consumer<List<T>> commit, String queue, String exchange,
                    String routingKey) {
        if (entries.isEmpty()) {
            return;
        }
        OutagePause pause = new OutagePause(log, "Recording from " + queue, settings.outageFirstBackoff(),
                settings.outageLongestBackoff());
        while (true) {
            try {
                commit.accept(entries.stream().map(Entry::value).toList());
                pause.resumed();
                ackAll(entries, channel);
                return;
            } catch (RuntimeException e) {
                if (!TransientFailures.isTransient(e)) {
                    log.warn("Recording {} messages from {} failed ({}); recording them one by one to isolate the poison",
                            entries.size(), queue, e.toString());
                    commitOneByOne(entries, channel, commit, queue);
                    return;
                }
                meters.counter("batchline.tracker.outage.pauses", "queue", queue).increment();
                if (!pause.pause(e)) {
                    return; // stopping: the channel closes and the broker redelivers
                }
                if (pause.elapsed().compareTo(settings.maxHold()) > 0) {
                    republish(entries, channel, exchange, routingKey, queue);
                    return;
                }
            }
        }
    }

    private <T> void commitOneByOne(List<Entry<T>> entries, Channel channel, Consumer<List<T>> commit, String queue) {
        for (Entry<T> entry : entries) {
            OutagePause pause = new OutagePause(log, "Recording from " + queue, settings.outageFirstBackoff(),
                    settings.outageLongestBackoff());
            while (true) {
                try {
                    commit.accept(List.of(entry.value()));
                    settle(channel, entry.tag(), true);
                    break;
                } catch (RuntimeException e) {
                    if (TransientFailures.isTransient(e) || !databaseAnswers()) {
                        // an outage the rule did not recognise is still an outage, not poison
                        if (!pause.pause(e)) {
                            return;
                        }
                        continue;
                    }
                    log.error("Message {} from {} cannot be recorded ({}); it is dead-lettered for an operator to replay",
                            entry.message().getMessageProperties().getMessageId(), queue, e.toString());
                    meters.counter("batchline.tracker.dead_lettered", "queue", queue).increment();
                    settle(channel, entry.tag(), false);
                    break;
                }
            }
        }
    }

    /** Whether the database answers at all: a message is poison only if it fails while it does. */
    private boolean databaseAnswers() {
        try {
            return jdbc.sql("SELECT 1").query(Integer.class).single() == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** After a long hold: the same bodies as fresh messages (confirmed), then the originals acknowledged. */
    private <T> void republish(List<Entry<T>> entries, Channel channel, String exchange, String routingKey, String queue) {
        try {
            rabbit.invoke(ops -> {
                for (Entry<T> entry : entries) {
                    MessageProperties source = entry.message().getMessageProperties();
                    MessageProperties properties = new MessageProperties();
                    properties.setContentType(source.getContentType());
                    properties.setDeliveryMode(org.springframework.amqp.core.MessageDeliveryMode.PERSISTENT);
                    properties.setMessageId(source.getMessageId());
                    source.getHeaders().forEach((k, v) -> {
                        if (!"x-death".equals(k) && !"x-delivery-count".equals(k)) {
                            properties.setHeader(k, v);
                        }
                    });
                    ops.send(exchange, routingKey, new Message(entry.message().getBody(), properties));
                }
                ops.waitForConfirmsOrDie(settings.maxHold().toMillis());
                return null;
            });
            ackAll(entries, channel);
            log.warn("Held {} messages from {} past {}; re-published them to keep them safe from the consumer timeout",
                    entries.size(), queue, settings.maxHold());
        } catch (RuntimeException e) {
            log.warn("Could not re-publish held messages from {} ({}); they stay unacknowledged", queue, e.toString());
        }
    }

    private static <T> void ackAll(List<Entry<T>> entries, Channel channel) {
        long last = entries.stream().mapToLong(Entry::tag).max().orElseThrow();
        // every tag up to `last` that is still unsettled belongs to this chunk (a listener's
        // deliveries arrive in tag order and earlier chunks are settled)
        settleMultiple(channel, last);
    }

    private static void settleMultiple(Channel channel, long lastTag) {
        try {
            channel.basicAck(lastTag, true);
        } catch (IOException e) {
            log.warn("Could not acknowledge recorded messages; they will be redelivered and recorded once: {}", e.getMessage());
        }
    }

    private static void settle(Channel channel, long tag, boolean ack) {
        try {
            if (ack) {
                channel.basicAck(tag, false);
            } else {
                channel.basicNack(tag, false, false);
            }
        } catch (IOException e) {
            log.warn("Could not settle message {}; it will be redelivered: {}", tag, e.getMessage());
        }
    }
}
