package io.batchline.model.messaging;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What a worker says about items it has not finished: one message per chunk and kind, on
 * {@code batch.activity}. Unlike results these are progress notes — the tracker applies a
 * note only while the item is still unfinished and not already past that attempt, so a
 * late, lost or repeated note never changes an outcome.
 *
 * @param kind   what happened to every item listed
 * @param worker the worker's name (host and process), as shown on the items endpoint
 * @param at     when it happened
 */
public record ItemActivity(Kind kind, String worker, Instant at, List<Item> items) {

    public enum Kind {
        /** A worker has been running these items for a while (fast chunks are never announced). */
        STARTED,
        /** The broker delivered these items again without a result: the worker holding them stopped or died. */
        CRASHED,
        /** The attempt failed retryably; the item waits in a delay tier for its next attempt. */
        RETRYING
    }

    /**
     * One item, by the identity its result will carry.
     *
     * @param attempt    the attempt the note is about
     * @param error      why that attempt did not end ({@link Kind#RETRYING}, {@link Kind#CRASHED}), else null
     * @param retryTier  {@link Kind#RETRYING} only: the delay tier the item waits in ({@code 30s} for
     *                   {@code batch.retry.30s}); null from workers older than this field
     * @param retryDueAt {@link Kind#RETRYING} only: when the tier hands the item back for its next attempt
     */
    public record Item(UUID batchId, int seq, int round, int attempt, @Nullable ItemError error,
                       @Nullable String retryTier, @Nullable Instant retryDueAt) {

        /** An item without retry facts (started, crashed, or a note from an older worker). */
        public Item(UUID batchId, int seq, int round, int attempt, @Nullable ItemError error) {
            this(batchId, seq, round, attempt, error, null, null);
        }

        public static Item of(ItemHeaders item, @Nullable ItemError error) {
            return new Item(item.batchId(), item.seq(), item.round(), item.attempt(), error);
        }

        /** An item whose attempt failed with {@code error} and that waits in {@code tier} until {@code dueAt}. */
        public static Item retrying(ItemHeaders item, ItemError error, Topology.RetryTier tier, Instant dueAt) {
            return new Item(item.batchId(), item.seq(), item.round(), item.attempt(), error, tier.name(), dueAt);
        }
    }

    /** The error code of a crash, on the items endpoint and on items that die of crashes. */
    public static final String CRASHED_CODE = "crashed";
}
