package io.batchline.worker.consumption;

import io.batchline.model.messaging.Topology;
import io.batchline.worker.operations.OperationHandler;
import io.batchline.worker.ratelimit.GlobalRateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import io.batchline.support.tracing.ItemTracing;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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

    private final ExecutorService handlerThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final Duration receiveTimeout;
    private final BatchConcurrency concurrency;
    private final ActivityNotes notes;
    private final WorkerActivity activity;
    private final ItemTracing tracing;

    ItemConsumers(List<OperationHandler<?>> handlers, ConnectionFactory connectionFactory, ChunkPublisher publisher,
                  StoppedBatches stoppedBatches, GlobalRateLimiter rateLimiter, JsonMapper json, MeterRegistry meters,
                  WorkerSettings settings, BatchConcurrency concurrency, ActivityNotes notes,
                  WorkerActivity activity, ItemTracing tracing) {
        this.tracing = tracing;
        this.receiveTimeout = settings.receiveTimeout();
        this.concurrency = concurrency;
        this.notes = notes;
        this.activity = activity;
        for (OperationHandler<?> handler : handlers) {
            String operation = handler.operation().name();
            if (!settings.consumes(operation)) {
                continue;
            }
            Duration timeout = settings.handlerTimeoutFor(operation);
            containers.add(container(connectionFactory, Topology.itemQueue(operation), settings.prefetchFor(operation),
                    settings.chunkSizeFor(operation), settings.concurrencyFor(operation), timeout,
                    listener(handler, false, publisher, stoppedBatches, rateLimiter, timeout, settings, json, meters)));
            // redelivered items, one at a time: a poison item can only take itself down
            containers.add(container(connectionFactory, Topology.isolationQueue(operation), 1, 1, 1, timeout,
                    listener(handler, true, publisher, stoppedBatches, rateLimiter, timeout, settings, json, meters)));
            log.info("Consuming {} with prefetch {}, concurrency {}, chunks of {}, handler timeout {}",
                    Topology.itemQueue(operation), settings.prefetchFor(operation), settings.concurrencyFor(operation),
                    settings.chunkSizeFor(operation), timeout);
        }
    }

    private <P extends io.batchline.model.operations.ItemPayload> ItemChunkListener<P> listener(OperationHandler<P> handler,
            boolean isolation, ChunkPublisher publisher, StoppedBatches stoppedBatches, GlobalRateLimiter rateLimiter,
            Duration timeout, WorkerSettings settings, JsonMapper json, MeterRegistry meters) {
        return new ItemChunkListener<>(handler, isolation, publisher, stoppedBatches, concurrency, notes, activity, rateLimiter,
                new HandlerRun<>(handler, handlerThreads, timeout), settings, json, meters, tracing);
    }

    private SimpleMessageListenerContainer container(ConnectionFactory connectionFactory, String queue, int prefetch,
            int chunkSize, int concurrency, Duration handlerTimeout, ItemChunkListener<?> listener) {
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueueNames(queue);
        container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
        container.setConsumerBatchEnabled(true);
        container.setBatchSize(chunkSize);
        container.setPrefetchCount(prefetch);
        container.setConcurrentConsumers(concurrency);
        container.setReceiveTimeout(receiveTimeout.toMillis());
        container.setDefaultRequeueRejected(false);
        // on SIGTERM: stop taking deliveries, let in-flight chunks finish, leave the rest queued
        container.setShutdownTimeout(handlerTimeout.toMillis() + 5_000);
        container.setMessageListener(listener);
        container.setBeanName("items-" + queue);
        container.afterPropertiesSet();
        return container;
    }

    @Override
    public void start() {
        containers.forEach(SimpleMessageListenerContainer::start);
        running = true;
    }

    @Override
    public void stop() {
        containers.parallelStream().forEach(SimpleMessageListenerContainer::stop);
        handlerThreads.shutdown();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
