package io.batchline.model.messaging;

import java.util.UUID;

/**
 * Broadcast on {@code batch.control} when a batch is stopped (cancelled, failed fast,
 * timed out): workers stop starting its items.
 */
public record BatchStopped(UUID batchId, String status) {
}
