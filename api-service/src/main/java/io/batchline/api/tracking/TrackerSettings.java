package io.batchline.api.tracking;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the tracker consumes {@code batch.results}.
 *
 * @param messagesPerTransaction result messages (each holding many item results) recorded per transaction
 * @param prefetch               unacknowledged result messages per consumer
 * @param concurrency            consumers per API instance
 */
@ConfigurationProperties("batch.tracker")
@Validated
public record TrackerSettings(
        @DefaultValue("20") @Min(1) @Max(1000) int messagesPerTransaction,
        @DefaultValue("40") @Min(1) @Max(5000) int prefetch,
        @DefaultValue("1") @Min(1) @Max(16) int concurrency) {
}
