package io.batchline.api.tracking;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the tracker consumes {@code batch.results} (and the dead-letter recorder its queue).
 *
 * @param messagesPerTransaction result messages (each holding many item results) recorded per transaction
 * @param prefetch               unacknowledged result messages per consumer
 * @param concurrency            consumers per API instance: two, so one records while the other reads
 *                               and parses its next chunk (the statement is safe to run concurrently:
 *                               several API instances do; a deadlock between two is transient and
 *                               the chunk is recorded again)
 * @param outageFirstBackoff     first pause when the database is unavailable ({@code BATCH_TRACKER_OUTAGE_BACKOFF})
 * @param outageLongestBackoff   longest pause between tries during an outage
 * @param maxHold                longest a chunk is held unacknowledged through an outage before it is
 *                               re-published as new messages; below the broker's consumer timeout (30 min)
 */
@ConfigurationProperties("batch.tracker")
@Validated
public record TrackerSettings(
        @DefaultValue("10") @Min(1) @Max(1000) int messagesPerTransaction,
        @DefaultValue("40") @Min(1) @Max(5000) int prefetch,
        @DefaultValue("2") @Min(1) @Max(16) int concurrency,
        @DefaultValue("500ms") Duration outageFirstBackoff,
        @DefaultValue("15s") Duration outageLongestBackoff,
        @DefaultValue("10m") Duration maxHold) {
}
