package io.batchline.worker.consumption;

import io.batchline.model.messaging.Topology;
import io.batchline.worker.operations.OperationHandler;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * One listener container per operation this worker serves, each with that operation's
 * prefetch, concurrency and chunk size. Stopping (SIGTERM) stops taking new deliveries
 * and lets in-flight chunks finish; what was not acked stays in the queue.
 */
@Component
class ItemConsumers implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ItemConsumers.class);

    private final List<SimpleMessageListenerContainer> containers = new ArrayList<>();
    private volatile boolean running;

    ItemConsumers(List<OperationHandler<?>> handlers, ConnectionFactory connectionFactory, ResultPublisher results,
                  JsonMapper json, MeterRegistry meters, WorkerSettings settings) {
        for (OperationHandler<?> handler : handlers) {
            String operation = handler.operation().name();
            if (!settings.consumes(operation)) {
                continue;
            }
            SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
            container.setQueueNames(Topology.itemQueue(operation));
            container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
            container.setConsumerBatchEnabled(true);
            container.setBatchSize(settings.chunkSizeFor(operation));
            container.setPrefetchCount(settings.prefetchFor(operation));
            container.setConcurrentConsumers(settings.concurrencyFor(operation));
            container.setReceiveTimeout(settings.receiveTimeout().toMillis());
            container.setDefaultRequeueRejected(false);
            container.setShutdownTimeout(20_000);
            container.setMessageListener(new ItemBatchListener<>(handler, results, json, meters));
            container.setBeanName("items-" + operation);
            container.afterPropertiesSet();
            containers.add(container);
            log.info("Consuming {} with prefetch {}, concurrency {}, chunks of {}", Topology.itemQueue(operation),
                    settings.prefetchFor(operation), settings.concurrencyFor(operation), settings.chunkSizeFor(operation));
        }
    }

    @Override
    public void start() {
        containers.forEach(SimpleMessageListenerContainer::start);
        running = true;
    }

    @Override
    public void stop() {
        containers.parallelStream().forEach(SimpleMessageListenerContainer::stop);
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
