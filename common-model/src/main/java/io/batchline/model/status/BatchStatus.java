package io.batchline.model.status;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where a batch stands. {@code completed} means every item is terminal (the counts say how
 * many failed); {@code failed}, {@code cancelled} and {@code timed_out} mean the batch was
 * stopped before that.
 */
public enum BatchStatus {
    PENDING, PROCESSING, COMPLETED, FAILED, CANCELLED, TIMED_OUT;

    private static final Set<BatchStatus> TERMINAL = EnumSet.of(COMPLETED, FAILED, CANCELLED, TIMED_OUT);

    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }

    /** The one place that says which moves are allowed; everything else is refused. */
    public boolean canMoveTo(BatchStatus next) {
        return switch (this) {
            case PENDING -> next == PROCESSING || next.isTerminal();
            case PROCESSING -> next.isTerminal();
            case COMPLETED, FAILED, CANCELLED, TIMED_OUT -> false;
        };
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BatchStatus fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
