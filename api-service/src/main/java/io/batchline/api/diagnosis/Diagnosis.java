package io.batchline.api.diagnosis;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The answer of {@code GET /api/batches/{id}/diagnosis}: why the batch has not finished, in
 * one sentence ({@code summary}) and in the facts the sentence was written from. Per-batch
 * facts come from the database; queue counts come from the broker and cover every batch of
 * the operation.
 */
record Diagnosis(UUID batchId, String operation, String status, boolean finished, String summary, Facts facts,
                 Instant checkedAt) {

    /** Everything known about where the batch's unfinished items are. */
    record Facts(
            int total,
            Counts counts,
            int notDispatched,
            DispatchLease dispatchLease,
            InFlight inFlight,
            List<RetryWait> waitingForRetry,
            Crashed crashed,
            Failed failed,
            List<Queue> queues,
            Broker broker,
            RateLimit rateLimit,
            Stop stop,
            Sweep sweep) {
    }

    /** The batch's items per status, as on the batch itself. */
    record Counts(int pending, int succeeded, int failed, int cancelled, @JsonProperty("timed_out") int timedOut) {
    }

    /** Who dispatches the batch: {@code held} while a dispatcher's lease runs. */
    record DispatchLease(@Nullable String owner, @Nullable Instant until, boolean held) {
    }

    /**
     * Items a worker announced as running (only chunks running longer than the workers'
     * {@code WORKER_ANNOUNCE_AFTER} are announced), and how many of them have run longer than
     * the handler timeout.
     */
    record InFlight(int count, @Nullable Instant oldestStartedAt, int pastHandlerTimeout, Duration handlerTimeout,
                    List<String> workers) {
    }

    /**
     * Items a worker put into one delay tier ({@code tier} {@code 30s}, {@code queue}
     * {@code batch.retry.30s}): {@code items} of them, of which {@code waiting} are not due yet
     * (the others were handed back to the work queue and wait or run there). {@code nextDueAt}
     * is the soonest due time still ahead, {@code lastDueAt} the latest.
     */
    record RetryWait(String tier, String queue, int items, int waiting, @Nullable Instant nextDueAt,
                     @Nullable Instant lastDueAt, @Nullable TopError topError) {
    }

    /** The error most of a tier's items failed with, and how many. */
    record TopError(@Nullable String code, @Nullable String message, int items) {
    }

    /** Pending items whose worker died holding them at least once; {@code everCrashed} counts the batch's items that ever crashed. */
    record Crashed(int pending, int everCrashed) {
    }

    /** Items that ended failed; those that gave up or crashed too often also sit in {@code deadLetterQueue}. */
    record Failed(int items, String deadLetterQueue) {
    }

    /**
     * One queue the batch's items (or results) may be in, as the broker counts it for every
     * batch: {@code role} is work, isolation, retry, dead, results, results-dead-letters,
     * unrecorded or dead-letter-recorder; a null count is unknown.
     */
    record Queue(String queue, String role, @Nullable Long ready, @Nullable Long unacked, @Nullable Long consumers) {
    }

    /** How the queue counts were read: status ok, partial (no unacknowledged counts) or unknown. */
    record Broker(String status, @Nullable String source, @Nullable String detail, String scope) {
    }

    /**
     * The global rate limit in force for the operation ({@code source} override, env or none).
     * Whether its shared bucket is empty right now is not read (that would lock the row the
     * workers take tokens from): {@code waitMetric} is where the workers' waiting shows.
     */
    record RateLimit(String operation, String source, @Nullable Long items, @Nullable Duration period, @Nullable Long burst,
                     @Nullable Double itemsPerSecond, String waitMetric) {
    }

    /** Stops: one under way, the deadline, and the rules that stop a batch by themselves. */
    record Stop(boolean stopping, @Nullable String stopStatus, @Nullable String reason, @Nullable Instant deadline,
                boolean deadlinePassed, boolean failFast, @Nullable Double maxFailureRate) {
    }

    /**
     * The stuck-item sweep's view: it dispatches a batch's pending items again once the batch
     * is fully dispatched, nobody holds its lease, and it has recorded nothing for
     * {@code stuckAfter} (while its operation's queues are empty too, on two sweeps in a row).
     * {@code quietFor}: since the batch last recorded a result or dispatched a chunk (or was created).
     */
    record Sweep(@Nullable Instant lastProgressAt, Duration quietFor, Duration stuckAfter, boolean quietLongEnough,
                 int reconciledItems) {
    }
}
