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

    /** Activity notes kept while nobody records them; older ones are dropped. */
    public static final int ACTIVITY_BACKLOG = 100_000;

    /** Deliveries in an isolation queue before the item is dead-lettered: 3 crashes. */
    public static final int ISOLATION_DELIVERY_LIMIT = 2;

    private BatchTopology() {
    }

    public static Declarables declarables(Collection<String> operations) {
        DirectExchange items = new DirectExchange(Topology.ITEMS_EXCHANGE, true, false);
        DirectExchange dead = new DirectExchange(Topology.DEAD_EXCHANGE, true, false);
        DirectExchange results = new DirectExchange(Topology.RESULTS_EXCHANGE, true, false);
        FanoutExchange control = new FanoutExchange(Topology.CONTROL_EXCHANGE, true, false);
        List<Declarable> all = new ArrayList<>(List.of(items, dead, results, control));

        for (String operation : operations) {
            Queue work = deadLettered(Topology.itemQueue(operation), operation, DELIVERY_LIMIT);
            Queue isolation = deadLettered(Topology.isolationQueue(operation), operation, ISOLATION_DELIVERY_LIMIT);
            all.add(isolation);
            Queue deadLetters = QueueBuilder.durable(Topology.deadQueue(operation)).quorum().build();
            all.add(work);
            all.add(deadLetters);
            all.add(BindingBuilder.bind(work).to(items).with(operation));
            all.add(BindingBuilder.bind(deadLetters).to(dead).with(operation));
        }

        // every dead letter is also seen by the API's recorder, which records the ones the
        // broker dead-lettered itself (delivery limit: the item kept killing its worker)
        // a dead letter the recorder cannot record (not a database outage: it pauses for those)
        // is parked where an admin can replay it, never dropped
        Queue recorder = deadLettered(Topology.DEAD_RECORDER_QUEUE, Topology.UNRECORDED_ROUTING_KEY, DELIVERY_LIMIT);
        Queue unrecorded = QueueBuilder.durable(Topology.UNRECORDED_QUEUE).quorum().build();
        all.add(recorder);
        all.add(unrecorded);
        all.add(BindingBuilder.bind(unrecorded).to(dead).with(Topology.UNRECORDED_ROUTING_KEY));
        for (String operation : operations) {
            all.add(BindingBuilder.bind(recorder).to(dead).with(operation));
        }

        // retry delay tiers: the message keeps its routing key (the operation) through the
        // fanout, and is dead-lettered back to batch.items with it when its TTL runs out
        for (Topology.RetryTier tier : Topology.RETRY_TIERS) {
            FanoutExchange exchange = new FanoutExchange(tier.exchange(), true, false);
            Queue delay = QueueBuilder.durable(tier.exchange())
                    .quorum()
                    .ttl((int) tier.delay().toMillis())
                    .deadLetterExchange(Topology.ITEMS_EXCHANGE)
                    .withArgument("x-dead-letter-strategy", "at-least-once")
                    .overflow(QueueBuilder.Overflow.rejectPublish)
                    .build();
            all.add(exchange);
            all.add(delay);
            all.add(BindingBuilder.bind(delay).to(exchange));
        }

        Queue resultQueue = deadLettered(Topology.RESULTS_QUEUE, Topology.RESULTS_ROUTING_KEY, DELIVERY_LIMIT);
        Queue resultDeadLetters = QueueBuilder.durable(Topology.RESULTS_DEAD_QUEUE).quorum().build();
        all.add(resultQueue);
        all.add(resultDeadLetters);
        all.add(BindingBuilder.bind(resultQueue).to(results).with(Topology.RESULTS_ROUTING_KEY));
        all.add(BindingBuilder.bind(resultDeadLetters).to(dead).with(Topology.RESULTS_ROUTING_KEY));

        // progress notes, not outcomes: bounded, and an outage of the tracker drops the oldest
        // rather than letting notes pile up (the results they precede carry the facts)
        Queue activity = QueueBuilder.durable(Topology.ACTIVITY_QUEUE)
                .quorum()
                .maxLength(ACTIVITY_BACKLOG)
                .overflow(QueueBuilder.Overflow.dropHead)
                .deliveryLimit(DELIVERY_LIMIT)
                .build();
        all.add(activity);
        all.add(BindingBuilder.bind(activity).to(results).with(Topology.ACTIVITY_ROUTING_KEY));
        all.add(new FanoutExchange(Topology.USERS_CHANGED_EXCHANGE, true, false));
        return new Declarables(all);
    }

    /**
     * A quorum queue whose rejected and over-delivered messages go to {@code batch.dead}
     * at least once: that needs the at-least-once strategy and reject-publish overflow
     * together, or the broker silently falls back to at-most-once.
     */
    private static Queue deadLettered(String name, String deadRoutingKey, int deliveryLimit) {
        return QueueBuilder.durable(name)
                .quorum()
                .deliveryLimit(deliveryLimit)
                .deadLetterExchange(Topology.DEAD_EXCHANGE)
                .deadLetterRoutingKey(deadRoutingKey)
                .withArgument("x-dead-letter-strategy", "at-least-once")
                .overflow(QueueBuilder.Overflow.rejectPublish)
                .build();
    }

}
