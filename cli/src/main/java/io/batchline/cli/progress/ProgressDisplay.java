package io.batchline.cli.progress;

import java.io.PrintStream;
import java.util.Locale;

/** Where a followed batch's progress goes: a bar redrawn in place, plain lines, or nowhere. */
public interface ProgressDisplay {

    void update(BatchSnapshot batch);

    /** Something worth a line of its own (the stream broke, polling instead, …). */
    void note(String message);

    /** The batch ended: the last state, drawn once more and left on screen. */
    void finish(BatchSnapshot batch);

    static ProgressDisplay none() {
        return new ProgressDisplay() {
            @Override
            public void update(BatchSnapshot batch) {
            }

            @Override
            public void note(String message) {
            }

            @Override
            public void finish(BatchSnapshot batch) {
            }
        };
    }

    /** The bar on a terminal, plain lines every {@code plainEverySeconds} otherwise. */
    static ProgressDisplay choose(PrintStream out, boolean terminal, int columns, long plainEverySeconds) {
        return terminal ? new TerminalProgressBar(out, columns) : new PlainProgressLines(out, plainEverySeconds * 1000);
    }

    /** The counts, rate and ETA as one line of text (no bar, no escape codes). */
    static String describe(BatchSnapshot batch) {
        return String.format(Locale.ROOT, "%5.1f%%  succeeded %d  failed %d  %spending %d  %s  ETA %s  %s",
                batch.percent(), batch.succeeded(), batch.failed(),
                (batch.cancelled() > 0 ? "cancelled " + batch.cancelled() + "  " : "")
                        + (batch.timedOut() > 0 ? "timed out " + batch.timedOut() + "  " : ""),
                batch.pending(),
                batch.itemsPerSecond() == null ? "- items/s" : String.format(Locale.ROOT, "%.0f items/s", batch.itemsPerSecond()),
                batch.ended() ? "0s" : batch.etaSeconds() == null ? "-" : duration(batch.etaSeconds()),
                batch.status());
    }

    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m" + String.format(Locale.ROOT, "%02d", seconds % 60) + "s";
        }
        return seconds / 3600 + "h" + String.format(Locale.ROOT, "%02d", seconds % 3600 / 60) + "m";
    }
}
