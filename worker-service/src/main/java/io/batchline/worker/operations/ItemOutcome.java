package io.batchline.worker.operations;

import io.batchline.model.messaging.ItemError;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** What a handler says about one item. */
public sealed interface ItemOutcome {

    /** The item is done; {@code result} is shown to the client as the item's result. */
    record Succeeded(@Nullable JsonNode result) implements ItemOutcome {
    }

    /**
     * The item did not succeed. {@code retryable} failures (timeouts, 5xx, lost connections)
     * may succeed on another attempt; the others (bad data, business rules) never will.
     *
     * @param retryAfter for a retryable failure, the least time the next attempt should wait
     *                   (a remote's {@code Retry-After}); null when the usual delay tier is fine
     */
    record Failed(ItemError error, boolean retryable, @Nullable Duration retryAfter) implements ItemOutcome {

        public Failed(ItemError error, boolean retryable) {
            this(error, retryable, null);
        }
    }

    static ItemOutcome succeeded(@Nullable JsonNode result) {
        return new Succeeded(result);
    }

    static ItemOutcome permanentFailure(String code, String message) {
        return new Failed(new ItemError(code, message), false);
    }

    static ItemOutcome retryableFailure(String code, String message) {
        return new Failed(new ItemError(code, message), true);
    }

    /** A retryable failure whose next attempt should wait at least {@code retryAfter}. */
    static ItemOutcome retryableFailure(String code, String message, @Nullable Duration retryAfter) {
        return new Failed(new ItemError(code, message), true, retryAfter);
    }
}
