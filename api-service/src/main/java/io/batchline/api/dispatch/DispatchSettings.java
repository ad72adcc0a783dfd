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
 * @param recoveryInterval how often unfinished dispatches (an instance died, or a batch waits
 *                         for credit that another instance's tracker returned) are looked for
 * @param window           items of one batch published and not yet ended, at most (before the
 *                         tenant's weight and the batch's priority scale it): what keeps the
 *                         queues bounded and lets a small batch pass a huge one
 * @param minWindow        the window of a batch whose pace is not known yet, and its floor
 * @param windowTime       within those bounds, a batch's window holds this much work at the pace
 *                         its items end ({@link BatchPace})
 * @param turn             items one batch publishes before it lets batches waiting for a
 *                         dispatch thread go first (round-robin)
 * @param tenantWeights    {@code tenant=weight,…}: a tenant's batches get windows this many times
 *                         larger (default 1), so a larger share of the workers while batches compete
 * @param pack             most items of one batch carried by one message; 1 publishes a message
 *                         per item. Fewer, larger messages cut the broker's work per item; a
 *                         batch's items are still spread over many messages ({@link PackSize})
 */
@ConfigurationProperties("batch.dispatch")
@Validated
public record DispatchSettings(
        @DefaultValue("1000") @Min(1) @Max(10_000) int chunkSize,
        @DefaultValue("2000") @Min(1) @Max(100_000) int confirmWindow,
        @DefaultValue("2") @Min(1) @Max(64) int threads,
        @DefaultValue("30s") Duration lease,
        @DefaultValue("30s") Duration confirmTimeout,
        @DefaultValue("5s") Duration recoveryInterval,
        @DefaultValue("20000") @Min(1) @Max(10_000_000) int window,
        @DefaultValue("1000") @Min(1) @Max(10_000_000) int minWindow,
        @DefaultValue("2s") Duration windowTime,
        @DefaultValue("5000") @Min(1) @Max(10_000_000) int turn,
        @DefaultValue("") String tenantWeights,
        @DefaultValue("10") @Min(1) @Max(1000) int pack) {

    public DispatchSettings {
        WindowScale.parse(tenantWeights); // refuses a malformed value at start-up
    }
}
