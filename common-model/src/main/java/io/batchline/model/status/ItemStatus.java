package io.batchline.model.status;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where one item of a batch stands. {@code pending} is the only non-terminal state: an item
 * takes its first terminal result and never moves again, except that an explicit retry
 * round puts a {@code failed} item back to {@code pending}.
 */
public enum ItemStatus {
    PENDING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT;

    public boolean isTerminal() {
        return this != PENDING;
    }

    /**
     * The allowed moves; every statement that changes an item's status is governed by this
     * (the database refuses any other move). {@code failed → pending} is the retry round.
     */
    public boolean canMoveTo(ItemStatus next) {
        return switch (this) {
            case PENDING -> next.isTerminal();
            case FAILED -> next == PENDING;
            case SUCCEEDED, CANCELLED, TIMED_OUT -> false;
        };
    }

    /** Every status from which an item may move to {@code next}. */
    public static Set<ItemStatus> sourcesOf(ItemStatus next) {
        return Arrays.stream(values()).filter(s -> s.canMoveTo(next))
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(ItemStatus.class)));
    }

    /** The lower-case name used in JSON, SQL and query parameters. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ItemStatus fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
