package io.batchline.worker.consumption;

import io.batchline.model.messaging.ItemHeaders;
import io.batchline.model.messaging.Topology;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

/**
 * The messages a worker sends about an item besides its result: the item's own body (taken
 * out of its pack, if it came in one) with the item's headers (written by {@link ItemHeaders}), persistent, and never the broker's own
 * {@code x-death}/{@code x-delivery-count}, which would confuse the next reader.
 */
final class MessageCopies {

    private MessageCopies() {
    }

    /** To the isolation queue: the broker redelivered it, so its last worker may have died of it. */
    static Outgoing toIsolation(Delivery delivery, String operation) {
        return new Outgoing("", Topology.isolationQueue(operation), copy(delivery, delivery.item(), null));
    }

    /** To a delay tier, as the next attempt. */
    static Outgoing toRetry(Delivery delivery, Topology.RetryTier tier, ItemHeaders next, String lastError, String operation) {
        return new Outgoing(tier.exchange(), operation, copy(delivery, next, lastError));
    }

    /** To {@code batch.dead.<operation>}, for operators: the item was reported failed. */
    static Outgoing toDeadLetters(Delivery delivery, String lastError, String operation) {
        return new Outgoing(Topology.DEAD_EXCHANGE, operation, copy(delivery, delivery.item(), lastError));
    }

    /** Back to the queue it came from, as a new message (after an outage held it too long). */
    static Outgoing again(Delivery delivery, String operation, boolean isolation) {
        Message copy = copy(delivery, delivery.item(), null);
        return isolation
                ? new Outgoing("", Topology.isolationQueue(operation), copy)
                : new Outgoing(Topology.ITEMS_EXCHANGE, operation, copy);
    }

    private static Message copy(Delivery delivery, ItemHeaders item, String lastError) {
        MessageProperties source = delivery.message().getMessageProperties();
        MessageProperties properties = new MessageProperties();
        properties.setContentType(source.getContentType());
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setMessageId(item.messageId());
        item.toMap().forEach(properties::setHeader);
        // retries, isolation and dead letters stay in the batch's trace
        Object traceParent = source.getHeaders().get(Topology.HEADER_TRACE_PARENT);
        if (traceParent != null) {
            properties.setHeader(Topology.HEADER_TRACE_PARENT, traceParent.toString());
        }
        Object previousError = source.getHeaders().get(Topology.HEADER_LAST_ERROR);
        if (lastError != null) {
            properties.setHeader(Topology.HEADER_LAST_ERROR, lastError);
        } else if (previousError != null) {
            properties.setHeader(Topology.HEADER_LAST_ERROR, previousError);
        }
        return new Message(delivery.body(), properties);
    }
}
