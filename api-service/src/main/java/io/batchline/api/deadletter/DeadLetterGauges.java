package io.batchline.api.deadletter;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import io.batchline.api.submission.SubmissionLimits;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * {@code batchline_dead_letters{queue}}: messages waiting in each dead-letter queue, read
 * from the broker on a schedule (a scrape never touches the broker). The alert rules fire
 * on any message in {@code batch.dead.results} or {@code batch.dead.unrecorded}: those are
 * results nobody recorded yet.
 */
@Component
class DeadLetterGauges {

    private final AmqpAdmin rabbitAdmin;
    private final List<String> queues;
    private final Map<String, AtomicLong> depths = new ConcurrentHashMap<>();

    DeadLetterGauges(AmqpAdmin rabbitAdmin, MeterRegistry meters, SubmissionLimits limits) {
        this.rabbitAdmin = rabbitAdmin;
        this.queues = DeadLetterQueues.all(limits.testOperations());
        for (String queue : queues) {
            AtomicLong depth = new AtomicLong();
            depths.put(queue, depth);
            Gauge.builder("batchline.dead_letters", depth, AtomicLong::get).tag("queue", queue)
                    .description("messages waiting in a dead-letter queue").register(meters);
        }
    }

    @Scheduled(fixedDelayString = "${batch.metrics.backlog-interval:15s}")
    void refresh() {
        try {
            refreshNow();
        } catch (RuntimeException e) {
            // the broker being away shows on /actuator/health; the gauges keep their last value
        }
    }

    Map<String, Long> refreshNow() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String queue : queues) {
            Properties properties = rabbitAdmin.getQueueProperties(queue);
            long ready = properties != null && properties.get(RabbitAdmin.QUEUE_MESSAGE_COUNT) instanceof Number n ? n.longValue() : 0;
            depths.get(queue).set(ready);
            counts.put(queue, ready);
        }
        return counts;
    }
}
