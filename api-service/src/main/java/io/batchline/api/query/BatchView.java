package io.batchline.api.query;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A batch as clients see it: counts, progress, speed and timestamps. {@code crashedItems}
 * counts items whose worker stopped or died holding them at least once (seed 004).
 */
public record BatchView(
        UUID batchId,
        String operation,
        String creator,
        String status,
        @Nullable String statusReason,
        int totalItems,
        Counts counts,
        int successCount,
        int failureCount,
        int dispatchedItems,
        int crashedItems,
        double percent,
        @Nullable Double itemsPerSecond,
        @Nullable Long etaSeconds,
        Instant createdAt,
        @Nullable Instant startedAt,
        @Nullable Instant completedAt,
        @Nullable Long durationMs,
        @Nullable Instant deadline,
        JsonNode options,
        @Nullable JsonNode metadata,
        @Nullable Callback callback,
        Map<String, String> links) {

    /** Where the completion callback stands: attempts so far and the last outcome. */
    public record Callback(int attempts, @Nullable Integer lastStatus, @Nullable String lastError,
                    @Nullable Instant deliveredAt, @Nullable Instant gaveUpAt, java.util.List<CallbackAttempt> history) {
    }

    /** One delivery attempt: when, and what the receiver answered (or why it could not). */
    public record CallbackAttempt(int attempt, Instant at, @Nullable Integer status, @Nullable String error) {
    }

    public record Counts(int pending, int succeeded, int failed, int cancelled, @JsonProperty("timed_out") int timedOut) {
    }

    BatchView withCallback(Callback replacement) {
        return new BatchView(batchId, operation, creator, status, statusReason, totalItems, counts, successCount,
                failureCount, dispatchedItems, crashedItems, percent, itemsPerSecond, etaSeconds, createdAt, startedAt, completedAt,
                durationMs, deadline, options, metadata, replacement, links);
    }

    /** Derives progress and speed from the stored counters at {@code now}. */
    static BatchView of(UUID id, String operation, String creator, String status, @Nullable String statusReason,
                        int total, int succeeded, int failed, int cancelled, int timedOut, int dispatched, int crashed,
                        Instant createdAt, @Nullable Instant startedAt, @Nullable Instant completedAt,
                        @Nullable Instant deadline, JsonNode options, @Nullable JsonNode metadata, Instant now,
                        @Nullable Callback callback) {
        int ended = succeeded + failed + cancelled + timedOut;
        int pending = total - ended;
        double percent = Math.round(ended * 10_000.0 / total) / 100.0;
        Double rate = null;
        Long eta = null;
        Long durationMs = null;
        if (startedAt != null) {
            Instant until = completedAt != null ? completedAt : now;
            long elapsedMs = Math.max(1, Duration.between(startedAt, until).toMillis());
            rate = Math.round(ended * 1000.0 / elapsedMs * 10) / 10.0;
            if (completedAt != null) {
                durationMs = elapsedMs;
                eta = 0L;
            } else if (ended > 0) {
                eta = Math.round(pending / (ended * 1000.0 / elapsedMs));
            }
        }
        String self = "/api/batches/" + id;
        return new BatchView(id, operation, creator, status, statusReason, total,
                new Counts(pending, succeeded, failed, cancelled, timedOut), succeeded, failed + timedOut, dispatched, crashed,
                percent, rate, eta, createdAt, startedAt, completedAt, durationMs, deadline, options, metadata, callback,
                Map.of("self", self, "items", self + "/items", "failedItems", self + "/items?status=failed"));
    }
}
