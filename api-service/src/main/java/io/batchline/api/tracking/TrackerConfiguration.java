package io.batchline.api.tracking;

import io.batchline.model.messaging.Topology;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The tracker's listener containers: batched, manually acknowledged, one transaction per chunk. */
@Configuration(proxyBeanMethods = false)
class TrackerConfiguration {

    @Bean
    SimpleMessageListenerContainer resultTrackerContainer(ConnectionFactory connectionFactory, ResultTracker tracker,
                                                          TrackerSettings settings) {
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueueNames(Topology.RESULTS_QUEUE);
        container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
        container.setConsumerBatchEnabled(true);
        container.setBatchSize(settings.messagesPerTransaction());
        container.setPrefetchCount(Math.max(settings.prefetch(), settings.messagesPerTransaction()));
        container.setConcurrentConsumers(settings.concurrency());
        container.setReceiveTimeout(100);
        container.setDefaultRequeueRejected(false);
        container.setMessageListener(tracker);
        return container;
    }

    @Bean
    SimpleMessageListenerContainer deadLetterRecorderContainer(ConnectionFactory connectionFactory, DeadLetterRecorder recorder) {
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueueNames(Topology.DEAD_RECORDER_QUEUE);
        container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
        container.setConsumerBatchEnabled(true);
        container.setBatchSize(50);
        container.setPrefetchCount(100);
        container.setReceiveTimeout(100);
        container.setDefaultRequeueRejected(false);
        container.setMessageListener(recorder);
        return container;
    }

    @Bean
    SimpleMessageListenerContainer activityRecorderContainer(ConnectionFactory connectionFactory, ActivityRecorder recorder) {
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueueNames(Topology.ACTIVITY_QUEUE);
        container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
        container.setConsumerBatchEnabled(true);
        container.setBatchSize(100);
        container.setPrefetchCount(200);
        container.setReceiveTimeout(100);
        container.setDefaultRequeueRejected(false);
        container.setMessageListener(recorder);
        return container;
    }
}
