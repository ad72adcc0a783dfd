package io.batchline.api.query;

import io.batchline.model.messaging.ItemError;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** One item's outcome as clients see it. */
record ItemView(int seq, @Nullable String key, String status, int attempts, @Nullable JsonNode result,
                @Nullable ItemError error, @Nullable Instant finishedAt) {
}
