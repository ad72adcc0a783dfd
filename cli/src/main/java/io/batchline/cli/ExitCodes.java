package io.batchline.cli;

import io.batchline.cli.progress.BatchSnapshot;

/**
 * The exit codes of every command, in one place: scripts branch on them, so they never
 * change meaning.
 */
public final class ExitCodes {

    /** The command did what was asked; a followed batch ended with every item succeeded. */
    public static final int OK = 0;
    /** The API refused the request or failed (a problem+json answer, 4xx or 5xx). */
    public static final int API_ERROR = 1;
    /** Wrong flags, a missing setting or an input file that cannot be read. */
    public static final int USAGE = 2;
    /** A followed batch ended with some items failed (completed with failures, or ended failed). */
    public static final int ITEMS_FAILED = 3;
    /** A followed batch was stopped before its items ran: cancelled or timed out. */
    public static final int STOPPED = 4;
    /** The API could not be reached, or the connection broke and could not be resumed. */
    public static final int UNREACHABLE = 5;

    private ExitCodes() {
    }

    /** The exit code a followed batch ends the command with, from its final state. */
    public static int forEndedBatch(BatchSnapshot batch) {
        return switch (batch.status()) {
            case "cancelled", "timed_out" -> STOPPED;
            case "failed" -> ITEMS_FAILED;
            case "completed" -> batch.failed() > 0 || batch.cancelled() > 0 || batch.timedOut() > 0 ? ITEMS_FAILED : OK;
            default -> throw new IllegalArgumentException("batch " + batch.batchId() + " has not ended: " + batch.status());
        };
    }
}
