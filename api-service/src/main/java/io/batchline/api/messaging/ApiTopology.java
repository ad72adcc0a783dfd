package io.batchline.api.messaging;

import io.batchline.model.messaging.BatchTopology;
import io.batchline.model.operations.Operations;
import org.springframework.amqp.core.Declarables;
import io.batchline.api.submission.SubmissionLimits;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Declares the shared topology from the API side too: the dispatcher publishes to the item
 * queues before any worker may have started, and an unbound routing key would drop items.
 */
@Configuration(proxyBeanMethods = false)
class ApiTopology {

    @Bean
    Declarables batchTopology(SubmissionLimits limits) {
        return BatchTopology.declarables(Operations.names(limits.testOperations()));
    }
}
