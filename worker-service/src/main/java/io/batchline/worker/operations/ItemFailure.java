package io.batchline.worker.operations;

/**
 * Thrown by a per-item handler when an item cannot succeed. Permanent failures are final;
 * retryable ones (timeouts, 5xx, broken connections) may succeed on a later attempt.
 */
public class ItemFailure extends RuntimeException {

    private final String code;
    private final boolean retryable;

    private ItemFailure(String code, String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.retryable = retryable;
    }

    public static ItemFailure permanent(String code, String message) {
        return new ItemFailure(code, message, false, null);
    }

    public static ItemFailure retryable(String code, String message, Throwable cause) {
        return new ItemFailure(code, message, true, cause);
    }

    public ItemOutcome toOutcome() {
        return retryable ? ItemOutcome.retryableFailure(code, getMessage()) : ItemOutcome.permanentFailure(code, getMessage());
    }
}
