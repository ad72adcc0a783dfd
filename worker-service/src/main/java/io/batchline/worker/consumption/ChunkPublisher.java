package io.batchline.worker.consumption;

import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.ItemResults;
import io.batchline.model.messaging.Topology;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends everything a chunk produced (one results message for the tracker, plus retries,
 * dead-letter copies and moves to isolation) and returns only once the broker has
 * confirmed all of it: the caller acks the chunk after this, never before. Sending the
 * same chunk twice is harmless: results are recorded once per item and round.
 */
@Component
class ChunkPublisher {

    private final RabbitTemplate rabbit;
    private final JsonMapper json;
    private final WorkerSettings settings;

    ChunkPublisher(RabbitTemplate rabbit, JsonMapper json, WorkerSettings settings) {
        this.rabbit = rabbit;
        this.json = json;
        this.settings = settings;
    }

    /**
     * @param traceParents batch id to the trace context the tracker's span of those results
     *                     continues; empty when tracing is off
     */
    void publishConfirmed(List<ItemResult> results, List<Outgoing> others, Map<String, String> traceParents) {
        if (results.isEmpty() && others.isEmpty()) {
            return;
        }
        rabbit.invoke(ops -> {
            if (!results.isEmpty()) {
                ops.send(Topology.RESULTS_EXCHANGE, Topology.RESULTS_ROUTING_KEY, resultsMessage(results, traceParents));
            }
            for (Outgoing outgoing : others) {
                ops.send(outgoing.exchange(), outgoing.routingKey(), outgoing.message());
            }
            ops.waitForConfirmsOrDie(settings.confirmTimeout().toMillis());
            return null;
        });
    }

    private Message resultsMessage(List<ItemResult> results, Map<String, String> traceParents) {
        MessageProperties properties = new MessageProperties();
        if (!traceParents.isEmpty()) {
            properties.setHeader(Topology.HEADER_TRACE_PARENTS, new HashMap<>(traceParents));
        }
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        return new Message(json.writeValueAsBytes(new ItemResults(results)), properties);
    }
}
