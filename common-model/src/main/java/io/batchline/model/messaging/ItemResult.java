package io.batchline.model.messaging;

import io.batchline.model.status.ItemStatus;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The terminal outcome of one item, as a worker reports it to the tracker.
 *
 * @param round  the retry round the item was dispatched in (0 for the first)
 * @param result what the handler returned (succeeded items), or null
 * @param error why it failed, or null when it succeeded
 */
public record ItemResult(
        UUID batchId,
        int seq,
        int round,
        int attempt,
        ItemStatus status,
        @Nullable JsonNode result,
        @Nullable ItemError error,
        Instant finishedAt) {

    public static ItemResult succeeded(UUID batchId, int seq, int round, int attempt, @Nullable JsonNode result) {
        return new ItemResult(batchId, seq, round, attempt, ItemStatus.SUCCEEDED, result, null, Instant.now());
    }

    public static ItemResult failed(UUID batchId, int seq, int round, int attempt, ItemError error) {
        return new ItemResult(batchId, seq, round, attempt, ItemStatus.FAILED, null, error, Instant.now());
    }

    /** An item its batch's stop ended before it ran ({@code cancelled} or {@code timed_out}). */
    public static ItemResult stopped(UUID batchId, int seq, int round, int attempt, ItemStatus status, ItemError error) {
        return new ItemResult(batchId, seq, round, attempt, status, null, error, Instant.now());
    }
}
