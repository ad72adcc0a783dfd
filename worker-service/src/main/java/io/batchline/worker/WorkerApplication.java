package io.batchline.worker;

import io.batchline.support.tracing.ItemTracing;
import io.batchline.support.tracing.TraceSampling;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.micrometer.observation.ObservationPredicate;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.http.server.observation.ServerRequestObservationContext;
import org.springframework.scheduling.annotation.EnableScheduling;

/** A Batchline worker: consumes items, runs their operation's handler, reports results. Stateless. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class WorkerApplication {

    /** Spans and trace context of the item path (see README, Logs and traces). */
    @Bean
    ItemTracing itemTracing(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        return ItemTracing.from(tracer, propagator);
    }

    /** Spans are recorded only when a collector is configured (see README, Logs and traces). */
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

    public static void main(String[] args) {
        SpringApplication.run(WorkerApplication.class, args);
    }
}
