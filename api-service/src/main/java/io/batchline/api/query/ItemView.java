package io.batchline.api.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.batchline.model.messaging.ItemError;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One item's outcome as clients see it; {@code activity} says what the workers reported
 * about it (seed 004's crash visibility), and is left out when they reported nothing.
 */
public record ItemView(int seq, @Nullable String key, String status, int attempts, @Nullable JsonNode result,
                @Nullable ItemError error, @Nullable Instant finishedAt,
                @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable Activity activity) {

    /**
     * What the workers said about an item.
     *
     * @param inFlight   the item is pending and a worker announced it has been running it since {@code startedAt}
     * @param startedAt  when the announced attempt started
     * @param worker     the worker that announced it (host/pid): the one that held it last
     * @param attempt    the attempt the last note was about
     * @param crashes    how often a worker stopped or died holding it (the broker delivered it again)
     * @param lastRetry  why its last failed attempt failed, while it waits for the next ({@code crashed} after a crash)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Activity(boolean inFlight, @Nullable Instant startedAt, @Nullable String worker, @Nullable Integer attempt,
                    int crashes, @Nullable ItemError lastRetry) {

        static @Nullable Activity of(String status, @Nullable Instant startedAt, @Nullable String worker,
                                     @Nullable Integer attempt, int crashes, @Nullable String retryCode,
                                     @Nullable String retryMessage) {
            if (startedAt == null && attempt == null && crashes == 0 && retryCode == null) {
                return null;
            }
            boolean pending = "pending".equals(status);
            return new Activity(pending && startedAt != null, startedAt, worker, attempt, crashes,
                    retryCode == null ? null : new ItemError(retryCode, String.valueOf(retryMessage)));
        }
    }
}
