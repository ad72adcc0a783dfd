package io.batchline.support.tracing;

import io.micrometer.observation.ObservationPredicate;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.server.observation.ServerRequestObservationContext;

/** The tracing beans of both services (see README, Logs and traces); each application imports it. */
@Configuration(proxyBeanMethods = false)
public class TracingConfiguration {

    /** Spans and trace context of the item path. */
    @Bean
    ItemTracing itemTracing(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        return ItemTracing.from(tracer, propagator);
    }

    /** Spans are recorded only when a collector is configured. */
    @Bean
    Sampler batchlineSampler(Environment environment) {
        return TraceSampling.sampler(environment.getProperty(TraceSampling.ENDPOINT_PROPERTY),
                environment.getProperty(TraceSampling.PROBABILITY_PROPERTY, Double.class, 1.0));
    }

    /** Health checks and scrapes would be most of the traces and say nothing. */
    @Bean
    ObservationPredicate noSpansForActuator() {
        return (name, context) -> !(context instanceof ServerRequestObservationContext request
                && request.getCarrier().getRequestURI().startsWith("/actuator"));
    }
}
