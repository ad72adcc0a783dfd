package io.batchline.worker;

import io.batchline.support.tracing.TracingConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.EnableScheduling;

/** A Batchline worker: consumes items, runs their operation's handler, reports results. Stateless. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
@Import(TracingConfiguration.class)
public class WorkerApplication {

    public static void main(String[] args) {
        SpringApplication.run(WorkerApplication.class, args);
    }
}
