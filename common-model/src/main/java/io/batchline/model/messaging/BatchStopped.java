package io.batchline.model.messaging;

import java.util.UUID;

/**
 * Broadcast on {@code batch.control} when a batch starts stopping (cancel, fail-fast,
 * breaker, deadline): workers stop running its items of that round and report them with
 * the stop's outcome instead. The round matters: a later retry round of the same batch
 * must run.
 *
 * @param status the terminal status the stop ends the batch in ({@code cancelled}, {@code failed}, {@code timed_out})
 */
public record BatchStopped(UUID batchId, int round, String status, String reason) {
}
