package io.batchline.api.retention;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How long ended batches are kept, and how the removal is paced.
 *
 * @param enabled        remove old batches at all ({@code BATCH_RETENTION_ENABLED}); an admin's delete works either way
 * @param keep           how long after it ended a batch is kept ({@code BATCH_RETENTION})
 * @param interval       how often an instance looks ({@code BATCH_RETENTION_INTERVAL})
 * @param batchesPerChunk batch rows removed per transaction (with their callback, idempotency and audit rows)
 * @param itemsPerChunk  item rows deleted per statement, so no statement holds many row locks or runs long
 * @param runBudget      longest one run keeps working before it hands the scheduler back (the rest waits for the next run)
 */
@ConfigurationProperties("batch.retention")
@Validated
record RetentionSettings(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("30d") @NotNull @DurationMin(minutes = 1) Duration keep,
        @DefaultValue("30s") @NotNull @DurationMin(seconds = 1) Duration interval,
        @DefaultValue("100") @Min(1) @Max(10_000) int batchesPerChunk,
        @DefaultValue("5000") @Min(1) @Max(100_000) int itemsPerChunk,
        @DefaultValue("2s") @NotNull @DurationMin(millis = 100) Duration runBudget) {
}
