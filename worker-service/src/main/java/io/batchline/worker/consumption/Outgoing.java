package io.batchline.worker.consumption;

import org.springframework.amqp.core.Message;

/** A message a chunk sends besides its results: a retry, a dead-letter copy, a move to isolation. */
record Outgoing(String exchange, String routingKey, Message message) {
}
