package io.batchline.api.health;

import io.batchline.api.submission.SubmissionLimits;
import io.batchline.model.messaging.Topology;
import io.batchline.model.operations.Operations;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Queue depths and consumers, read from the broker on a schedule (passive declares through
 * the same {@link AmqpAdmin} the dead-letter gauges use), so a health request never waits
 * for the broker: it reads the last snapshot, and a snapshot that failed or is older than
 * {@code brokerStaleAfter} makes the health say the broker's resources are unknown.
 */
@Component
class BrokerResources {

    private static final Logger log = LoggerFactory.getLogger(BrokerResources.class);

    /** One queue: ready messages and consumers. */
    record QueueDepth(String queue, long messages, long consumers) {
    }

    /** What the broker said at {@code readAt}, or why it could not be asked ({@code error}). */
    record Snapshot(@Nullable Instant readAt, List<QueueDepth> itemQueues, List<QueueDepth> otherQueues,
                    @Nullable String error) {
    }

    private final AmqpAdmin rabbitAdmin;
    private final List<String> itemQueues;
    private final List<String> otherQueues;
    private final Clock clock;
    private volatile Snapshot last = new Snapshot(null, List.of(), List.of(), "not read yet");

    BrokerResources(AmqpAdmin rabbitAdmin, SubmissionLimits limits) {
        this.rabbitAdmin = rabbitAdmin;
        this.clock = Clock.systemUTC();
        List<String> operations = Operations.names(limits.testOperations());
        this.itemQueues = operations.stream().map(Topology::itemQueue).toList();
        List<String> others = new ArrayList<>(List.of(Topology.RESULTS_QUEUE, Topology.RESULTS_DEAD_QUEUE,
                Topology.UNRECORDED_QUEUE));
        operations.forEach(operation -> others.add(Topology.deadQueue(operation)));
        this.otherQueues = List.copyOf(others);
    }

    @Scheduled(fixedDelayString = "${batch.health.broker-interval:5s}")
    void refresh() {
        try {
            last = new Snapshot(clock.instant(), read(itemQueues), read(otherQueues), null);
        } catch (RuntimeException e) {
            log.debug("Could not read queue depths: {}", e.getMessage());
            last = new Snapshot(last.readAt(), last.itemQueues(), last.otherQueues(), "broker unreachable");
        }
    }

    Snapshot last() {
        return last;
    }

    private List<QueueDepth> read(List<String> queues) {
        List<QueueDepth> depths = new ArrayList<>(queues.size());
        for (String queue : queues) {
            Properties properties = rabbitAdmin.getQueueProperties(queue);
            if (properties != null) {
                depths.add(new QueueDepth(queue, number(properties.get(RabbitAdmin.QUEUE_MESSAGE_COUNT)),
                        number(properties.get(RabbitAdmin.QUEUE_CONSUMER_COUNT))));
            }
        }
        return depths;
    }

    private static long number(@Nullable Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }
}
