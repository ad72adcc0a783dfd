package io.batchline.model.status;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where a batch stands, and the one place that says how it may move.
 *
 * <pre>
 *   pending ──► processing ──► completed            (every item ended)
 *      │            │
 *      └────────────┴──► stopping ──► cancelled | failed | timed_out
 *                         (a stop was asked for; items already running finish first)
 *   completed | failed | cancelled | timed_out ──► processing   (explicit retry round only)
 * </pre>
 *
 * A stop (cancel, fail-fast, breaker, deadline) never ends a batch at once: it moves it to
 * {@code stopping}, and the batch takes the stop's terminal status only when none of its
 * items is still in flight. So the counts of a terminal batch are final.
 */
public enum BatchStatus {
    PENDING, PROCESSING, STOPPING, COMPLETED, FAILED, CANCELLED, TIMED_OUT;

    private static final Set<BatchStatus> TERMINAL = EnumSet.of(COMPLETED, FAILED, CANCELLED, TIMED_OUT);
    private static final Set<BatchStatus> STOP_TARGETS = EnumSet.of(FAILED, CANCELLED, TIMED_OUT);

    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }

    /** Statuses a stop can end a batch in: the batch passes through {@code stopping} first. */
    public boolean isStopTarget() {
        return STOP_TARGETS.contains(this);
    }

    /**
     * The allowed moves; every statement that changes a batch's status is governed by this
     * (the database refuses any other move, see {@code status_transitions}). The move from a
     * terminal status back to {@code processing} is the explicit retry round.
     */
    public boolean canMoveTo(BatchStatus next) {
        return switch (this) {
            case PENDING -> next == PROCESSING || next == STOPPING || next == COMPLETED;
            case PROCESSING -> next == COMPLETED || next == STOPPING;
            case STOPPING -> next.isStopTarget();
            case COMPLETED, FAILED, CANCELLED, TIMED_OUT -> next == PROCESSING;
        };
    }

    /** Every status from which a batch may move to {@code next}. */
    public static Set<BatchStatus> sourcesOf(BatchStatus next) {
        return Arrays.stream(values()).filter(s -> s.canMoveTo(next))
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(BatchStatus.class)));
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BatchStatus fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
