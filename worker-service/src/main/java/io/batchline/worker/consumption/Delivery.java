package io.batchline.worker.consumption;

import io.batchline.model.messaging.ItemHeaders;
import org.springframework.amqp.core.Message;

/** One item message as delivered, with the item it names. */
record Delivery(Message message, ItemHeaders item) {
}
