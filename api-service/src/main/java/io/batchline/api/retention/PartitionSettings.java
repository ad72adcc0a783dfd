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
 * The day partitions of {@code batch_items} (V16).
 *
 * @param daysAhead   how many days after today get their partition in advance ({@code BATCH_PARTITIONS_DAYS_AHEAD}):
 *                    a week of API outages before a new batch would land in the default partition
 * @param interval    how often an instance makes sure they exist ({@code BATCH_PARTITIONS_INTERVAL})
 * @param lockTimeout longest a creation or a drop waits for its table locks ({@code BATCH_PARTITIONS_LOCK_TIMEOUT});
 *                    statements on batch_items queue behind a waiting drop, so it gives up early and tries again next run
 */
@ConfigurationProperties("batch.partitions")
@Validated
record PartitionSettings(
        @DefaultValue("7") @Min(1) @Max(366) int daysAhead,
        @DefaultValue("1h") @NotNull @DurationMin(seconds = 1) Duration interval,
        @DefaultValue("2s") @NotNull @DurationMin(millis = 10) Duration lockTimeout) {
}
