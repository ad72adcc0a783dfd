package io.batchline.worker.consumption;

import io.batchline.model.messaging.BatchStopped;
import io.batchline.model.messaging.Topology;
import io.batchline.model.status.BatchStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AnonymousQueue;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** Each worker's own auto-delete queue on the {@code batch.control} fanout: stop events. */
@Configuration(proxyBeanMethods = false)
class ControlListener {

    private static final Logger log = LoggerFactory.getLogger(ControlListener.class);

    @Bean
    Queue controlQueue() {
        return new AnonymousQueue();
    }

    @Bean
    Binding controlBinding(Queue controlQueue) {
        return BindingBuilder.bind(controlQueue).to(new FanoutExchange(Topology.CONTROL_EXCHANGE, true, false));
    }

    @Bean
    SimpleMessageListenerContainer controlContainer(ConnectionFactory connectionFactory, Queue controlQueue,
                                                    StoppedBatches stoppedBatches, JsonMapper json) {
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueues(controlQueue);
        container.setDefaultRequeueRejected(false);
        container.setMessageListener((Message message) -> {
            try {
                BatchStopped stopped = json.readValue(message.getBody(), BatchStopped.class);
                stoppedBatches.stopping(stopped.batchId(), stopped.round(), BatchStatus.fromWireName(stopped.status()),
                        stopped.reason());
                log.info("Batch {} round {} is stopping ({}); its items that have not started are reported {}",
                        stopped.batchId(), stopped.round(), stopped.status(), stopped.status());
            } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
                log.warn("Ignoring an unreadable control message: {}", e.getMessage());
            }
        });
        return container;
    }
}
