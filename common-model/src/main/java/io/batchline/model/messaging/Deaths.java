package io.batchline.model.messaging;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

/**
 * Why the broker dead-lettered an item, and how to copy a message without losing that.
 * The broker writes {@code x-death} (newest death first) and ignores one a client sets, so
 * a copy carries the item's death in {@link Topology#HEADER_DEATH} instead. A death in the
 * dead-letter recorder's own queue is not the item's: it is skipped.
 */
public final class Deaths {

    /** Why and where an item died. */
    public record Death(String reason, String queue) {
    }

    private Deaths() {
    }

    /** The item's death: from the broker's {@code x-death}, else from a copy's header; empty for a worker's own dead letter. */
    public static Optional<Death> of(MessageProperties properties) {
        List<Map<String, ?>> deaths = properties.getXDeathHeader();
        if (deaths != null) {
            for (Map<String, ?> death : deaths) {
                String queue = String.valueOf(death.get("queue"));
                if (!Topology.DEAD_RECORDER_QUEUE.equals(queue)) {
                    return Optional.of(new Death(String.valueOf(death.get("reason")), queue));
                }
            }
        }
        Object copied = properties.getHeaders().get(Topology.HEADER_DEATH);
        if (copied != null && copied.toString().indexOf(' ') > 0) {
            String text = copied.toString();
            return Optional.of(new Death(text.substring(0, text.indexOf(' ')), text.substring(text.indexOf(' ') + 1)));
        }
        return Optional.empty();
    }

    /** The message as a new one: persistent, without the broker's delivery bookkeeping, its item's death kept. */
    public static Message freshCopy(Message original) {
        MessageProperties source = original.getMessageProperties();
        MessageProperties properties = new MessageProperties();
        properties.setContentType(source.getContentType());
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setMessageId(source.getMessageId());
        source.getHeaders().forEach((k, v) -> {
            if (!"x-death".equals(k) && !"x-delivery-count".equals(k)) {
                properties.setHeader(k, v);
            }
        });
        of(source).ifPresent(death -> properties.setHeader(Topology.HEADER_DEATH, death.reason() + " " + death.queue()));
        return new Message(original.getBody(), properties);
    }
}
