package io.batchline.worker.consumption;

import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.ItemResults;
import io.batchline.model.messaging.Topology;
import java.util.List;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends a chunk's results to the tracker as one persistent message and returns only once
 * the broker has confirmed it: the caller acks the items after this, never before.
 */
@Component
class ResultPublisher {

    private final RabbitTemplate rabbit;
    private final JsonMapper json;
    private final WorkerSettings settings;

    ResultPublisher(RabbitTemplate rabbit, JsonMapper json, WorkerSettings settings) {
        this.rabbit = rabbit;
        this.json = json;
        this.settings = settings;
    }

    void publishConfirmed(List<ItemResult> results) {
        if (results.isEmpty()) {
            return;
        }
        MessageProperties properties = new MessageProperties();
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        ItemResult first = results.getFirst();
        properties.setMessageId("results:" + first.batchId() + ":" + first.seq() + ":" + first.attempt() + ":" + results.size());
        Message message = new Message(json.writeValueAsBytes(new ItemResults(results)), properties);
        rabbit.invoke(ops -> {
            ops.send(Topology.RESULTS_EXCHANGE, Topology.RESULTS_ROUTING_KEY, message);
            ops.waitForConfirmsOrDie(settings.confirmTimeout().toMillis());
            return null;
        });
    }
}
