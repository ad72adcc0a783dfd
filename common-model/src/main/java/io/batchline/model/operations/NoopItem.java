package io.batchline.model.operations;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.jspecify.annotations.Nullable;

/**
 * An item that does nothing (for demos, tests and benchmarks): it may wait {@code delayMs},
 * fail for good with rate {@code failRate}, or fail retryably on its first
 * {@code failAttempts} attempts; its other fields are echoed back as its result.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NoopItem(
        @Min(0) @Max(60_000) @Nullable Long delayMs,
        @DecimalMin("0.0") @DecimalMax("1.0") @Nullable Double failRate,
        @Min(0) @Max(100) @Nullable Integer failAttempts,
        @Nullable String key) implements ItemPayload {

    @Override
    public @Nullable String itemKey() {
        return key;
    }
}
