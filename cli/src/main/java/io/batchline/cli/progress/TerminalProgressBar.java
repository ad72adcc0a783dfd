package io.batchline.cli.progress;

import java.io.PrintStream;

/**
 * One line redrawn in place: carriage return, the bar and counts, erase to the end of the
 * line. The line is cut to the terminal's width, since a wrapped line could not be redrawn.
 */
final class TerminalProgressBar implements ProgressDisplay {

    private static final String ERASE_TO_END = "\033[K";

    private final PrintStream out;
    private final int columns;
    private final int barWidth;
    /** A bar is on screen without its newline: Ctrl-C must not leave the shell prompt after it. */
    private volatile boolean lineOpen;

    TerminalProgressBar(PrintStream out, int columns) {
        this.out = out;
        this.columns = columns > 20 ? columns : 80;
        this.barWidth = Math.max(10, Math.min(30, this.columns - 90));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (lineOpen) {
                out.print("\n");
                out.flush();
            }
        }, "progress-bar-newline"));
    }

    @Override
    public void update(BatchSnapshot batch) {
        String line = bar(batch.percent()) + " " + ProgressDisplay.describe(batch);
        if (line.length() > columns - 1) {
            line = line.substring(0, columns - 1);
        }
        out.print("\r" + line + ERASE_TO_END);
        out.flush();
        lineOpen = true;
    }

    @Override
    public void note(String message) {
        out.print("\r" + ERASE_TO_END + message + "\n");
        out.flush();
        lineOpen = false;
    }

    @Override
    public void finish(BatchSnapshot batch) {
        update(batch);
        out.print("\n");
        out.flush();
        lineOpen = false;
    }

    String bar(double percent) {
        int filled = (int) Math.round(Math.max(0, Math.min(100, percent)) / 100 * barWidth);
        return "[" + "#".repeat(filled) + "-".repeat(barWidth - filled) + "]";
    }
}
