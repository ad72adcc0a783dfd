package io.batchline.api.deadletter;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import io.batchline.api.problem.BatchRejected;
import io.batchline.api.security.AuditTrail;
import io.batchline.api.security.Caller;
import io.batchline.model.messaging.Deaths;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.support.DefaultMessagePropertiesConverter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admin endpoints for dead letters. {@code GET /api/admin/dead-letters} counts every
 * dead-letter queue; {@code POST /api/admin/dead-letters/{queue}/replay} moves up to
 * {@code limit} messages of {@code batch.dead.results} or {@code batch.dead.unrecorded}
 * back to their consumer: each is re-published (confirmed) before it is removed, so a
 * crash mid-way duplicates, never loses, and recording is idempotent.
 */
@RestController
@RequestMapping("/api/admin/dead-letters")
class DeadLetterReplay {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplay.class);

    private final RabbitTemplate rabbit;
    private final DeadLetterGauges gauges;
    private final AuditTrail audit;
    private final MeterRegistry meters;
    private final DefaultMessagePropertiesConverter converter = new DefaultMessagePropertiesConverter();

    DeadLetterReplay(RabbitTemplate rabbit, DeadLetterGauges gauges, AuditTrail audit, MeterRegistry meters) {
        this.rabbit = rabbit;
        this.gauges = gauges;
        this.audit = audit;
        this.meters = meters;
    }

    @GetMapping
    Map<String, Object> counts() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("queues", gauges.refreshNow());
        body.put("replayable", DeadLetterQueues.REPLAY_TARGETS.keySet().stream().sorted().toList());
        return body;
    }

    @PostMapping("/{queue}/replay")
    Map<String, Object> replay(@PathVariable String queue, @RequestParam(defaultValue = "1000") int limit, Caller caller) {
        String target = DeadLetterQueues.replayTarget(queue).orElseThrow(() -> new BatchRejected(HttpStatus.BAD_REQUEST,
                "not-replayable", "Queue cannot be replayed",
                "only " + DeadLetterQueues.REPLAY_TARGETS.keySet().stream().sorted().toList() + " are replayed here; "
                        + "items in batch.dead.<operation> were recorded failed and are re-run with POST /api/batches/{id}/retry",
                Map.of("queue", queue)));
        if (limit < 1 || limit > 100_000) {
            throw BatchRejected.badRequest("invalid-parameter", "Invalid parameter", "limit must be between 1 and 100000");
        }
        int replayed = rabbit.execute(channel -> {
            channel.confirmSelect();
            int moved = 0;
            while (moved < limit) {
                GetResponse got = channel.basicGet(queue, false);
                if (got == null) {
                    break;
                }
                // as a new message, its item's death kept (a broker ignores a client's x-death)
                Message copy = Deaths.freshCopy(new Message(got.getBody(), converter.toMessageProperties(got.getProps(), got.getEnvelope(), "UTF-8")));
                AMQP.BasicProperties properties = converter.fromMessageProperties(copy.getMessageProperties(), "UTF-8");
                channel.basicPublish("", target, properties, got.getBody());
                channel.waitForConfirmsOrDie(30_000);
                channel.basicAck(got.getEnvelope().getDeliveryTag(), false);
                moved++;
            }
            return moved;
        });
        meters.counter("batchline.dead_letters.replayed", "queue", queue).increment(replayed);
        audit.record(caller, "dead-letters.replayed", queue, Map.of("messages", replayed, "to", target));
        log.info("Replayed {} messages from {} to {}", replayed, queue, target);
        return Map.of("queue", queue, "replayedTo", target, "replayed", replayed);
    }
}
