package io.batchline.worker.operations;

import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * One item handed to a handler.
 *
 * @param payload the item bound to its operation's record
 * @param raw     the item's JSON as submitted (for handlers that echo or inspect extra fields)
 */
public record WorkItem<P>(UUID batchId, int seq, int attempt, P payload, JsonNode raw) {
}
