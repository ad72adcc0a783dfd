package io.batchline.model.messaging;

import java.util.List;

/**
 * One message on {@code batch.results}: the results of all items a worker handled in one
 * delivery chunk. Grouping them cuts the broker's message rate on the result path by the
 * chunk size; the tracker still counts each item by its own identity.
 */
public record ItemResults(List<ItemResult> results) {
}
