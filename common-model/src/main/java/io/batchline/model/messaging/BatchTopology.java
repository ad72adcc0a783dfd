package io.batchline.model.messaging;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;

/**
 * The whole shared RabbitMQ topology in one place. Both services declare it at start-up:
 * declaring is idempotent only when every declaration carries the same arguments, so the
 * arguments live here and nowhere else.
 */
public final class BatchTopology {

    /**
     * Deliveries of one item before the broker dead-letters it. Only crashes and requeues
     * count: a handler failure is reported as a result, not requeued.
     */
    public static final int DELIVERY_LIMIT = 5;

    private BatchTopology() {
    }

    public static Declarables declarables(Collection<String> operations) {
        DirectExchange items = new DirectExchange(Topology.ITEMS_EXCHANGE, true, false);
        DirectExchange dead = new DirectExchange(Topology.DEAD_EXCHANGE, true, false);
        DirectExchange results = new DirectExchange(Topology.RESULTS_EXCHANGE, true, false);
        FanoutExchange control = new FanoutExchange(Topology.CONTROL_EXCHANGE, true, false);
        List<Declarable> all = new ArrayList<>(List.of(items, dead, results, control));

        for (String operation : operations) {
            Queue work = deadLettered(Topology.itemQueue(operation), operation);
            Queue deadLetters = QueueBuilder.durable(Topology.deadQueue(operation)).quorum().build();
            all.add(work);
            all.add(deadLetters);
            all.add(BindingBuilder.bind(work).to(items).with(operation));
            all.add(BindingBuilder.bind(deadLetters).to(dead).with(operation));
        }

        Queue resultQueue = deadLettered(Topology.RESULTS_QUEUE, Topology.RESULTS_ROUTING_KEY);
        Queue resultDeadLetters = QueueBuilder.durable(Topology.RESULTS_DEAD_QUEUE).quorum().build();
        all.add(resultQueue);
        all.add(resultDeadLetters);
        all.add(BindingBuilder.bind(resultQueue).to(results).with(Topology.RESULTS_ROUTING_KEY));
        all.add(BindingBuilder.bind(resultDeadLetters).to(dead).with(Topology.RESULTS_ROUTING_KEY));
        return new Declarables(all);
    }

    /**
     * A quorum queue whose rejected and over-delivered messages go to {@code batch.dead}
     * at least once: that needs the at-least-once strategy and reject-publish overflow
     * together, or the broker silently falls back to at-most-once.
     */
    private static Queue deadLettered(String name, String deadRoutingKey) {
        return QueueBuilder.durable(name)
                .quorum()
                .deliveryLimit(DELIVERY_LIMIT)
                .deadLetterExchange(Topology.DEAD_EXCHANGE)
                .deadLetterRoutingKey(deadRoutingKey)
                .withArgument("x-dead-letter-strategy", "at-least-once")
                .overflow(QueueBuilder.Overflow.rejectPublish)
                .build();
    }

}
