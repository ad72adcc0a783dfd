package io.batchline.model.status;

/**
 * What a stop does to the items of its batch that had not started: the status they end in
 * and the error code that says why. One rule for the API (items never published) and the
 * workers (items they skip).
 *
 * @param itemStatus {@code timed_out} for a deadline, {@code cancelled} for every other stop
 * @param errorCode  {@code batch.deadline} or {@code batch.stopped}
 */
public record StopOutcome(ItemStatus itemStatus, String errorCode) {

    public static final String STOPPED = "batch.stopped";
    public static final String DEADLINE = "batch.deadline";

    /** The outcome of the items a stop towards {@code target} ends. */
    public static StopOutcome of(BatchStatus target) {
        if (!target.isStopTarget()) {
            throw new IllegalArgumentException(target + " is not a status a stop ends a batch in");
        }
        return target == BatchStatus.TIMED_OUT
                ? new StopOutcome(ItemStatus.TIMED_OUT, DEADLINE)
                : new StopOutcome(ItemStatus.CANCELLED, STOPPED);
    }
}
