package io.batchline.worker.consumption;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How a worker consumes items. The top-level values apply to every operation; an entry in
 * {@code operations} overrides them for one operation.
 *
 * @param prefetch       unacknowledged items per consumer ({@code WORKER_PREFETCH})
 * @param concurrency    consumers per operation queue ({@code WORKER_CONCURRENCY})
 * @param chunkSize      items handed to a handler at once, at most {@code prefetch} ({@code WORKER_CHUNK_SIZE})
 * @param receiveTimeout how long a consumer waits to fill a chunk before handling a partial one
 * @param confirmTimeout how long to wait for the broker to confirm a chunk's results
 * @param only           operations this worker consumes (empty: all built-in ones)
 * @param handlerTimeout longest a handler may take for one chunk; then its items fail retryably
 * @param testOperations run the test-only operations ({@code WORKER_TEST_OPERATIONS}); never in production
 * @param rateLimits     global limits shared by all workers, {@code op=items/period[:burst]}, comma-separated ({@code WORKER_RATE_LIMITS})
 * @param outageFirstBackoff   first pause when the database or broker is unavailable mid-chunk
 * @param outageLongestBackoff longest pause between tries during an outage
 * @param maxHold        longest a chunk is held through an outage before its items are put back as new
 *                       messages; below the broker's consumer timeout (30 min by default)
 * @param announceAfter  a chunk still running after this long is announced as started, so its items show
 *                       who holds them; 0 turns announcements off ({@code WORKER_ANNOUNCE_AFTER})
 */
@ConfigurationProperties("worker")
@Validated
public record WorkerSettings(
        @DefaultValue("250") @Min(1) @Max(5000) int prefetch,
        @DefaultValue("2") @Min(1) @Max(100) int concurrency,
        @DefaultValue("100") @Min(1) @Max(5000) int chunkSize,
        @DefaultValue("50ms") Duration receiveTimeout,
        @DefaultValue("30s") Duration confirmTimeout,
        @DefaultValue List<String> only,
        @DefaultValue Map<String, OperationOverrides> operations,
        @DefaultValue("30s") Duration handlerTimeout,
        @DefaultValue("false") boolean testOperations,
        @DefaultValue("") String rateLimits,
        @DefaultValue("500ms") Duration outageFirstBackoff,
        @DefaultValue("15s") Duration outageLongestBackoff,
        @DefaultValue("10m") Duration maxHold,
        @DefaultValue("1s") Duration announceAfter) {

    /** Settings for one operation; null values fall back to the worker-wide ones. */
    public record OperationOverrides(@Nullable @Min(1) @Max(5000) Integer prefetch,
                                     @Nullable @Min(1) @Max(100) Integer concurrency,
                                     @Nullable @Min(1) @Max(5000) Integer chunkSize,
                                     @Nullable Duration handlerTimeout) {
    }

    Duration handlerTimeoutFor(String operation) {
        OperationOverrides o = operations.get(operation);
        return o != null && o.handlerTimeout() != null ? o.handlerTimeout() : handlerTimeout;
    }

    int prefetchFor(String operation) {
        OperationOverrides o = operations.get(operation);
        return o != null && o.prefetch() != null ? o.prefetch() : prefetch;
    }

    int concurrencyFor(String operation) {
        OperationOverrides o = operations.get(operation);
        return o != null && o.concurrency() != null ? o.concurrency() : concurrency;
    }

    int chunkSizeFor(String operation) {
        OperationOverrides o = operations.get(operation);
        int size = o != null && o.chunkSize() != null ? o.chunkSize() : chunkSize;
        return Math.min(size, prefetchFor(operation));
    }

    boolean consumes(String operation) {
        return only.isEmpty() || only.contains(operation);
    }
}
