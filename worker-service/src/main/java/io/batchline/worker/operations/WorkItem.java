package io.batchline.worker.operations;

import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One item handed to a handler.
 *
 * @param payload the item bound to its operation's record
 * @param raw     the item's JSON as submitted (for handlers that echo or inspect extra fields)
 * @param tenant  the tenant that owns the item's batch: the owner whose rows it may change
 *                (null only for messages published before owners travelled with items)
 */
public record WorkItem<P>(UUID batchId, int seq, int attempt, P payload, JsonNode raw, @Nullable String tenant) {

    public WorkItem(UUID batchId, int seq, int attempt, P payload, JsonNode raw) {
        this(batchId, seq, attempt, payload, raw, null);
    }

    /** Whether this item may read or change a row owned by {@code owner}: unowned rows are shared. */
    public boolean mayAccess(@Nullable String owner) {
        return owner == null || tenant == null || owner.equals(tenant);
    }
}
