package io.batchline.worker.operations;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by a per-item handler when an item cannot succeed. Permanent failures are final;
 * retryable ones (timeouts, 5xx, broken connections) may succeed on a later attempt.
 */
public class ItemFailure extends RuntimeException {

    private final String code;
    private final boolean retryable;
    private final @Nullable Duration retryAfter;

    private ItemFailure(String code, String message, boolean retryable, @Nullable Throwable cause, @Nullable Duration retryAfter) {
        super(message, cause);
        this.code = code;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    public static ItemFailure permanent(String code, String message) {
        return new ItemFailure(code, message, false, null, null);
    }

    public static ItemFailure retryable(String code, String message, @Nullable Throwable cause) {
        return new ItemFailure(code, message, true, cause, null);
    }

    /** Retryable, but the next attempt should wait at least {@code retryAfter} (the remote said so). */
    public static ItemFailure retryableAfter(String code, String message, @Nullable Duration retryAfter) {
        return new ItemFailure(code, message, true, null, retryAfter);
    }

    public ItemOutcome toOutcome() {
        return retryable ? ItemOutcome.retryableFailure(code, getMessage(), retryAfter)
                : ItemOutcome.permanentFailure(code, getMessage());
    }
}
