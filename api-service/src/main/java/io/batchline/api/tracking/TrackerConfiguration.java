package io.batchline.api.tracking;

import io.batchline.model.messaging.Topology;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareBatchMessageListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The tracker's listener containers: batched, manually acknowledged, one transaction per chunk. */
@Configuration(proxyBeanMethods = false)
class TrackerConfiguration {

    @Bean
    SimpleMessageListenerContainer resultTrackerContainer(ConnectionFactory connectionFactory, ResultTracker tracker,
                                                          TrackerSettings settings) {
        SimpleMessageListenerContainer container = chunked(connectionFactory, Topology.RESULTS_QUEUE, tracker,
                settings.messagesPerTransaction(), Math.max(settings.prefetch(), settings.messagesPerTransaction()));
        container.setConcurrentConsumers(settings.concurrency());
        return container;
    }

    @Bean
    SimpleMessageListenerContainer deadLetterRecorderContainer(ConnectionFactory connectionFactory, DeadLetterRecorder recorder) {
        return chunked(connectionFactory, Topology.DEAD_RECORDER_QUEUE, recorder, 50, 100);
    }

    @Bean
    SimpleMessageListenerContainer activityRecorderContainer(ConnectionFactory connectionFactory, ActivityRecorder recorder) {
        return chunked(connectionFactory, Topology.ACTIVITY_QUEUE, recorder, 100, 200);
    }

    /** A consumer of chunks of up to {@code chunk} messages, acknowledged by the listener after its commit. */
    private static SimpleMessageListenerContainer chunked(ConnectionFactory connectionFactory, String queue,
                                                          ChannelAwareBatchMessageListener listener, int chunk, int prefetch) {
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueueNames(queue);
        container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
        container.setConsumerBatchEnabled(true);
        container.setBatchSize(chunk);
        container.setPrefetchCount(prefetch);
        container.setReceiveTimeout(100);
        container.setDefaultRequeueRejected(false);
        container.setMessageListener(listener);
        return container;
    }
}
