package io.batchline.api.health;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code GET /api/batches/health}.
 *
 * @param window           the recent window its performance numbers cover ({@code BATCH_HEALTH_WINDOW})
 * @param cacheFor         how long one answer is reused per tenant scope, so polling it costs nothing ({@code BATCH_HEALTH_CACHE})
 * @param brokerStaleAfter a queue snapshot older than this counts as unknown (the broker is not answering)
 */
@ConfigurationProperties("batch.health")
@Validated
record HealthSettings(
        @DefaultValue("1h") @NotNull Duration window,
        @DefaultValue("5s") @NotNull Duration cacheFor,
        @DefaultValue("30s") @NotNull Duration brokerStaleAfter) {
}
