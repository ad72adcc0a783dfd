package io.batchline.worker.messaging;

import io.batchline.model.messaging.BatchTopology;
import io.batchline.model.operations.Operations;
import org.springframework.amqp.core.Declarables;
import io.batchline.worker.consumption.WorkerSettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Declares the shared topology (idempotently: every replica may start at once). */
@Configuration(proxyBeanMethods = false)
class WorkerTopology {

    @Bean
    Declarables batchTopology(WorkerSettings settings) {
        return BatchTopology.declarables(Operations.names(settings.testOperations()));
    }
}
