package io.batchline.cli.progress;

import java.io.PrintStream;

/** For logs and pipes: a plain line at most every few seconds, and the last state at the end; no escape codes. */
final class PlainProgressLines implements ProgressDisplay {

    private final PrintStream out;
    private final long everyMillis;
    private long lastPrinted = Long.MIN_VALUE;
    private BatchSnapshot lastShown;

    PlainProgressLines(PrintStream out, long everyMillis) {
        this.out = out;
        this.everyMillis = everyMillis;
    }

    @Override
    public void update(BatchSnapshot batch) {
        long now = System.nanoTime() / 1_000_000;
        if (lastPrinted == Long.MIN_VALUE || now - lastPrinted >= everyMillis) {
            print(batch);
            lastPrinted = now;
        }
    }

    @Override
    public void note(String message) {
        out.println(message);
        out.flush();
    }

    @Override
    public void finish(BatchSnapshot batch) {
        if (!batch.equals(lastShown)) {
            print(batch);
        }
    }

    private void print(BatchSnapshot batch) {
        out.println("progress " + ProgressDisplay.describe(batch).replaceAll(" {2,}", "  ").strip());
        out.flush();
        lastShown = batch;
    }
}
