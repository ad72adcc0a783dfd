package io.batchline.model.status;

import java.util.Locale;

/**
 * Where one item of a batch stands. {@code pending} is the only non-terminal state: the
 * tracker records an item's first terminal result and never moves a terminal item again
 * (an explicit retry round is the one way back to {@code pending}).
 */
public enum ItemStatus {
    PENDING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT;

    public boolean isTerminal() {
        return this != PENDING;
    }

    /** The only transitions the tracker accepts. */
    public boolean canMoveTo(ItemStatus next) {
        return this == PENDING && next.isTerminal();
    }

    /** The lower-case name used in JSON, SQL and query parameters. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ItemStatus fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
