package io.batchline.cli.input;

import java.util.Arrays;

/**
 * The source line of every item sent, by item index: how an API error about item 41 becomes
 * "line 43" of the CSV. Four bytes per item.
 */
public final class SourceLines {

    private int[] lines = new int[1024];
    private int size;

    void add(long line) {
        if (size == lines.length) {
            lines = Arrays.copyOf(lines, lines.length * 2);
        }
        lines[size++] = (int) Math.min(line, Integer.MAX_VALUE);
    }

    /** The line item {@code index} started on, or -1 if it is not known. */
    public long lineOf(long index) {
        return index >= 0 && index < size ? lines[(int) index] : -1;
    }

    public int items() {
        return size;
    }
}
