package io.batchline.api;

import io.batchline.support.tracing.TracingConfiguration;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The Batchline API: takes batches over REST, stores and dispatches them, tracks their results. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
@Import(TracingConfiguration.class)
public class ApiApplication {

    public static void main(String[] args) {
        SpringApplication.run(ApiApplication.class, args);
    }
}
