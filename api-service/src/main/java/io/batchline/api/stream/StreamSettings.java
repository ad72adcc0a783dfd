package io.batchline.api.stream;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Progress streams ({@code GET /api/batches/{id}/events}, {@code GET /api/batches/events}).
 *
 * @param perTenant        open streams per tenant on one API instance ({@code BATCH_STREAMS_PER_TENANT}); one more is a 429
 * @param pollInterval     how often the one shared poller reads the watched batches' rows ({@code BATCH_STREAM_POLL_INTERVAL})
 * @param minEventInterval at most one progress event per stream per this long: changes in between are coalesced
 * @param overviewInterval how often the running batches of each watched tenant are read for the list stream
 * @param overviewLimit    running batches listed in one overview event (newest first; the counts cover all)
 * @param heartbeat        a comment line after this long without a write: keeps proxies from closing the
 *                         connection and finds clients that went away ({@code BATCH_STREAM_HEARTBEAT})
 * @param idleTimeout      a stream with no event for this long is closed; the client reconnects ({@code BATCH_STREAM_IDLE_TIMEOUT})
 * @param maxDuration      a stream is closed after this long whatever happens; the client reconnects with
 *                         {@code Last-Event-ID} ({@code BATCH_STREAM_MAX_DURATION})
 * @param retry            the reconnection delay suggested to clients ({@code retry:})
 */
@ConfigurationProperties("batch.streams")
@Validated
record StreamSettings(
        @DefaultValue("20") @Min(1) @Max(100_000) int perTenant,
        @DefaultValue("250ms") @NotNull Duration pollInterval,
        @DefaultValue("250ms") @NotNull Duration minEventInterval,
        @DefaultValue("1s") @NotNull Duration overviewInterval,
        @DefaultValue("100") @Min(1) @Max(1000) int overviewLimit,
        @DefaultValue("15s") @NotNull Duration heartbeat,
        @DefaultValue("5m") @NotNull Duration idleTimeout,
        @DefaultValue("30m") @NotNull Duration maxDuration,
        @DefaultValue("3s") @NotNull Duration retry) {

    StreamSettings {
        if (pollInterval.toMillis() < 10) {
            throw new IllegalArgumentException("batch.streams.poll-interval must be at least 10ms");
        }
    }
}
