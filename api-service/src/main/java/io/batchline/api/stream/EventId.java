package io.batchline.api.stream;

import io.batchline.api.query.BatchSnapshots;
import io.batchline.model.status.BatchStatus;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A batch progress event's {@code id}: {@code <round>.<ended>.<stage>}, which only grows
 * while a batch runs. Within a retry round the ended items never decrease (an ended item is
 * final) and the stage only moves forward (0 pending, 1 processing, 2 stopping, 3 ended); a
 * retry starts a higher round. So the id of the state a client saw tells whether the current
 * state is new to it, and {@code Last-Event-ID} resumes a stream without a duplicate or a gap.
 */
record EventId(int round, int ended, int stage) {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})\\.(\\d{1,9})\\.([0-3])");

    static EventId of(BatchSnapshots.Progress progress) {
        BatchStatus status = progress.batchStatus();
        int stage = status.isTerminal() ? 3 : switch (status) {
            case PENDING -> 0;
            case PROCESSING -> 1;
            default -> 2; // stopping
        };
        return new EventId(progress.round(), progress.ended(), stage);
    }

    /**
     * A {@code Last-Event-ID} as sent back by a client, or null when there is none or it is
     * not one of ours (then the client simply gets the current state, as on a first connection).
     */
    static @Nullable EventId parse(@Nullable String text) {
        if (text == null) {
            return null;
        }
        Matcher m = FORMAT.matcher(text.strip());
        return m.matches() ? new EventId(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))) : null;
    }

    boolean isEnd() {
        return stage == 3;
    }

    @Override
    public String toString() {
        return round + "." + ended + "." + stage;
    }
}
