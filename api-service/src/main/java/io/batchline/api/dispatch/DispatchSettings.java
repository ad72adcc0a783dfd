package io.batchline.api.dispatch;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How stored items are published.
 *
 * @param chunkSize        items read from the database at a time (and per watermark update)
 * @param confirmWindow    published messages not yet confirmed by the broker, at most
 * @param threads          batches dispatched at the same time by one API instance
 * @param lease            how long one instance owns a batch's dispatch without renewing
 * @param confirmTimeout   how long to wait for the broker's confirms of one chunk
 * @param recoveryInterval how often unfinished dispatches (an instance died) are looked for
 */
@ConfigurationProperties("batch.dispatch")
@Validated
public record DispatchSettings(
        @DefaultValue("1000") @Min(1) @Max(10_000) int chunkSize,
        @DefaultValue("2000") @Min(1) @Max(100_000) int confirmWindow,
        @DefaultValue("2") @Min(1) @Max(64) int threads,
        @DefaultValue("30s") Duration lease,
        @DefaultValue("30s") Duration confirmTimeout,
        @DefaultValue("5s") Duration recoveryInterval) {
}
