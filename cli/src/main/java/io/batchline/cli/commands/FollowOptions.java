package io.batchline.cli.commands;

import io.batchline.cli.ExitCodes;
import io.batchline.cli.Session;
import io.batchline.cli.api.ApiClient;
import io.batchline.cli.progress.BatchFollower;
import io.batchline.cli.progress.BatchSnapshot;
import io.batchline.cli.progress.ProgressDisplay;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How a batch is followed to its end, for watch and every command with --follow. */
public final class FollowOptions {

    @Option(names = "--poll", description = "Poll GET /api/batches/{id} instead of reading the progress stream.")
    boolean poll;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "5",
            description = "When stdout is not a terminal: seconds between progress lines (default ${DEFAULT-VALUE}).")
    long interval;

    /** Follows the batch, prints its outcome and returns the exit code its end means. */
    int follow(Session session, ApiClient api, String batchId, boolean quiet) {
        ProgressDisplay display = quiet ? ProgressDisplay.none()
                : ProgressDisplay.choose(session.out(), session.terminal().interactive(), session.terminal().columns(), Math.max(1, interval));
        BatchSnapshot end = new BatchFollower(api, display, Duration.ofSeconds(1)).follow(batchId, !poll);
        if (!quiet) {
            session.out().println(outcome(end));
            if (end.failed() > 0) {
                session.out().println("failed items: batchline items " + batchId + " --status failed");
            }
        }
        return ExitCodes.forEndedBatch(end);
    }

    static String outcome(BatchSnapshot end) {
        StringBuilder line = new StringBuilder("batch " + end.batchId() + " " + end.status() + ": " + end.succeeded()
                + " of " + end.total() + " items succeeded");
        if (end.failed() > 0) {
            line.append(", ").append(end.failed()).append(" failed");
        }
        if (end.cancelled() > 0) {
            line.append(", ").append(end.cancelled()).append(" cancelled");
        }
        if (end.timedOut() > 0) {
            line.append(", ").append(end.timedOut()).append(" timed out");
        }
        return line.toString();
    }
}
