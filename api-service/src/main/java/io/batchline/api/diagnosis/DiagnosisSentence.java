package io.batchline.api.diagnosis;

import io.batchline.model.messaging.Topology;
import io.batchline.model.status.BatchStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Writes the one plain sentence of a diagnosis from its facts. The rules apply in a fixed
 * order, the first that fits speaks, so the same facts always give the same sentence:
 * <ol>
 * <li>the batch ended: how;
 * <li>every item ended, the status is about to follow;
 * <li>it is stopping: what it still waits for;
 * <li>its deadline passed: the deadline watch is about to stop it;
 * <li>items not yet published while no dispatcher holds the lease: dispatch stalled;
 * <li>items waiting in a retry delay tier: which tier, after what error, when next;
 * <li>items running longer than the handler timeout: a stuck or dead worker;
 * <li>no consumer on the operation's work queue (before the rate limit: with nobody
 *     consuming, a limit changes nothing);
 * <li>queued behind the operation's global rate limit;
 * <li>items running on workers;
 * <li>items still being dispatched;
 * <li>items queued for consumers that are working;
 * <li>messages the API could not record (parked for an admin's replay: they may be what holds
 *     this batch's items from ending, but they may be another batch's, so they speak only when
 *     nothing of the batch's own explains its pending items);
 * <li>the broker cannot be read;
 * <li>nothing holds them: the stuck-item sweep's turn.
 * </ol>
 */
final class DiagnosisSentence {

    /** A batch with no progress this long while nobody holds its lease has a stalled dispatch, not a slow start. */
    static final Duration DISPATCH_GRACE = Duration.ofSeconds(5);
    private static final int MAX_ERROR_LENGTH = 80;

    private DiagnosisSentence() {
    }

    static String write(String operation, BatchStatus status, Diagnosis.Facts facts, Instant now) {
        Diagnosis.Counts counts = facts.counts();
        int pending = counts.pending();
        String workQueue = Topology.itemQueue(operation);
        Optional<Diagnosis.Queue> work = queue(facts, workQueue);
        Diagnosis.Stop stop = facts.stop();

        if (status.isTerminal()) {
            return "Finished: the batch " + ended(status) + reason(stop.reason()) + "; " + tally(counts, facts.total()) + ".";
        }
        if (pending == 0) {
            return "Every item has ended; the batch takes its final status with the last result.";
        }
        if (status == BatchStatus.STOPPING) {
            return "The batch is stopping and will end " + stop.stopStatus() + reason(stop.reason()) + "; "
                    + stoppingDetail(facts, pending, stop.stopStatus(), work, workQueue, now) + ".";
        }
        if (stop.deadlinePassed() && stop.deadline() != null) {
            return "The deadline passed " + about(Duration.between(stop.deadline(), now)) + " ago; the deadline watch is stopping"
                    + " the batch, and its " + items(pending) + " not started end timed_out.";
        }
        int published = pending - facts.notDispatched();
        if (facts.notDispatched() > 0 && !facts.dispatchLease().held() && published > 0) {
            // credit-based dispatch: the window is full, the rest goes out as published items end
            return items(facts.notDispatched()) + " wait for dispatch credit: " + published + " published "
                    + (published == 1 ? "item has" : "items have") + " not ended yet, and the batch's dispatch window lets"
                    + " more out as they end.";
        }
        if (facts.notDispatched() > 0 && !facts.dispatchLease().held()) {
            if (facts.sweep().quietFor().compareTo(DISPATCH_GRACE) < 0) {
                return items(facts.notDispatched()) + " are about to be dispatched.";
            }
            return "Dispatch stalled: " + items(facts.notDispatched()) + " " + are(facts.notDispatched())
                    + " not yet published and no dispatcher holds the lease; an API instance's recovery scan resumes it"
                    + " within seconds.";
        }
        Optional<Diagnosis.RetryWait> tier = busiestTier(facts);
        if (tier.isPresent()) {
            return retrySentence(facts, tier.get(), now);
        }
        Diagnosis.InFlight inFlight = facts.inFlight();
        if (inFlight.pastHandlerTimeout() > 0) {
            return items(inFlight.pastHandlerTimeout()) + " " + have(inFlight.pastHandlerTimeout())
                    + " been running longer than the handler timeout (" + about(inFlight.handlerTimeout()) + ")"
                    + (inFlight.oldestStartedAt() == null ? "" : ", the oldest for " + about(Duration.between(inFlight.oldestStartedAt(), now)))
                    + on(inFlight.workers()) + ": the worker may be stuck, or dead without its connection dropping yet.";
        }
        int queued = Math.max(0, pending - inFlight.count() - facts.notDispatched());
        if (queued > 0 && work.isPresent() && work.get().consumers() != null && work.get().consumers() == 0) {
            return "No worker is consuming " + workQueue + ": " + items(queued) + " of this batch wait" + (queued == 1 ? "s" : "")
                    + " there" + readyForAll(work.get()) + ".";
        }
        Diagnosis.RateLimit limit = facts.rateLimit();
        if (queued > 0 && limit.itemsPerSecond() != null && work.isPresent() && work.map(Diagnosis.Queue::ready).orElse(0L) > 0) {
            return items(queued) + " wait in " + workQueue + readyForAll(work.get()) + " under the global rate limit of "
                    + number(limit.itemsPerSecond()) + " items/s for " + operation + " (" + limit.source()
                    + "); the workers' waiting shows in " + limit.waitMetric() + ".";
        }
        if (inFlight.count() > 0) {
            return items(inFlight.count()) + " " + are(inFlight.count()) + " running" + on(inFlight.workers())
                    + (inFlight.oldestStartedAt() == null ? "" : ", the oldest for " + about(Duration.between(inFlight.oldestStartedAt(), now)))
                    + (queued > 0 ? ", and " + queued + " more wait in the queues" : "") + ".";
        }
        if (facts.notDispatched() > 0) {
            return items(facts.notDispatched()) + " " + are(facts.notDispatched()) + " still being dispatched by "
                    + facts.dispatchLease().owner() + ".";
        }
        if (work.isPresent() && work.get().ready() != null && work.get().ready() > 0) {
            return items(pending) + " wait their turn in " + workQueue + readyForAll(work.get()) + ".";
        }
        for (String deadQueue : List.of(Topology.RESULTS_DEAD_QUEUE, Topology.UNRECORDED_QUEUE)) {
            long parked = queue(facts, deadQueue).map(Diagnosis.Queue::ready).orElse(0L);
            if (parked > 0) {
                return plural(parked, "message") + " the API could not record wait" + (parked == 1 ? "s" : "") + " in " + deadQueue
                        + " (they may hold some of this batch's " + items(pending) + " from ending): an admin replays them with"
                        + " POST /api/admin/dead-letters/" + deadQueue + "/replay once the cause is fixed.";
            }
        }
        if (work.isEmpty() || work.get().ready() == null) {
            String them = pending == 1 ? "it" : "them";
            return items(pending) + " " + are(pending) + " pending and nothing is noted about " + them + "; the broker could not be"
                    + " read, so which queue holds " + them + " is unknown.";
        }
        Diagnosis.Sweep sweep = facts.sweep();
        return items(pending) + " " + are(pending) + " pending with nothing noted running, in a delay tier or ready in " + workQueue
                + " (a worker may hold them unacknowledged); "
                + (sweep.quietLongEnough()
                        ? "the batch has recorded nothing for " + about(sweep.quietFor()) + ", so the stuck-item sweep dispatches"
                                + " them again once the operation's queues are empty on two looks in a row"
                        : "if nothing is recorded for " + about(sweep.stuckAfter()) + ", the stuck-item sweep dispatches them again")
                + ".";
    }

    private static String stoppingDetail(Diagnosis.Facts facts, int pending, @Nullable String stopStatus,
                                         Optional<Diagnosis.Queue> work, String workQueue, Instant now) {
        Optional<Diagnosis.RetryWait> tier = busiestTier(facts);
        if (tier.isPresent()) {
            Diagnosis.RetryWait t = tier.get();
            return t.waiting() + " of its " + items(pending) + " wait" + (t.waiting() == 1 ? "s" : "") + " in " + t.queue() + " and end " + stopStatus
                    + " when they come back" + dueIn(t.nextDueAt(), now);
        }
        if (facts.inFlight().count() > 0) {
            return items(facts.inFlight().count()) + " " + are(facts.inFlight().count()) + " still running" + on(facts.inFlight().workers())
                    + " and finish first";
        }
        if (facts.notDispatched() > 0 && !facts.dispatchLease().held()) {
            return items(facts.notDispatched()) + " never published wait for a dispatcher to end them";
        }
        if (work.isPresent() && work.get().consumers() != null && work.get().consumers() == 0) {
            return items(pending) + " may still be queued, but no worker is consuming " + workQueue + " to end them";
        }
        return items(pending) + " may still be queued or held by workers, and end " + stopStatus + " as workers take them";
    }

    private static String retrySentence(Diagnosis.Facts facts, Diagnosis.RetryWait tier, Instant now) {
        int others = facts.waitingForRetry().stream().filter(t -> t != tier).mapToInt(Diagnosis.RetryWait::waiting).sum();
        Diagnosis.TopError error = tier.topError();
        String cause = error == null ? "" : " after " + describe(error);
        return items(tier.waiting()) + " wait" + (tier.waiting() == 1 ? "s" : "") + " in " + tier.queue() + cause
                + (others > 0 ? " (and " + others + " more in other delay tiers)" : "") + "; next attempt"
                + dueIn(tier.nextDueAt(), now) + ".";
    }

    /** The tier holding the most items still waiting (the sooner due on a tie). */
    private static Optional<Diagnosis.RetryWait> busiestTier(Diagnosis.Facts facts) {
        return facts.waitingForRetry().stream().filter(t -> t.waiting() > 0)
                .max(Comparator.comparingInt(Diagnosis.RetryWait::waiting)
                        .thenComparing(t -> t.nextDueAt() == null ? Instant.MAX : t.nextDueAt(), Comparator.reverseOrder()));
    }

    private static String describe(Diagnosis.TopError error) {
        String text = error.message() != null && !error.message().isBlank() ? error.message() : String.valueOf(error.code());
        text = text.strip();
        return text.length() > MAX_ERROR_LENGTH ? text.substring(0, MAX_ERROR_LENGTH - 1) + "…" : text;
    }

    private static String dueIn(@Nullable Instant due, Instant now) {
        if (due == null) {
            return " when its delay runs out";
        }
        Duration left = Duration.between(now, due);
        return left.isNegative() || left.isZero() ? " is due now" : " in " + about(left);
    }

    private static String ended(BatchStatus status) {
        return switch (status) {
            case COMPLETED -> "completed";
            case FAILED -> "failed";
            case CANCELLED -> "was cancelled";
            case TIMED_OUT -> "timed out";
            default -> status.wireName();
        };
    }

    private static String tally(Diagnosis.Counts counts, int total) {
        List<String> parts = new ArrayList<>();
        parts.add(counts.succeeded() + " of " + total + " " + (total == 1 ? "item" : "items") + " succeeded");
        if (counts.failed() > 0) {
            parts.add(counts.failed() + " failed");
        }
        if (counts.cancelled() > 0) {
            parts.add(counts.cancelled() + " cancelled");
        }
        if (counts.timedOut() > 0) {
            parts.add(counts.timedOut() + " timed out");
        }
        if (parts.size() == 1) {
            return parts.getFirst();
        }
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.getLast();
    }

    private static String reason(@Nullable String reason) {
        return reason == null || reason.isBlank() ? "" : " (" + reason.strip() + ")";
    }

    private static String on(List<String> workers) {
        if (workers.isEmpty()) {
            return "";
        }
        return " on " + (workers.size() == 1 ? workers.getFirst() : workers.getFirst() + " and " + (workers.size() - 1) + " more workers");
    }

    private static String readyForAll(Diagnosis.Queue queue) {
        if (queue.ready() == null) {
            return "";
        }
        String unacked = queue.unacked() == null ? "" : ", " + queue.unacked() + " unacknowledged";
        String consumers = queue.consumers() == null ? "" : ", " + plural(queue.consumers(), "consumer");
        return " (the queue holds " + queue.ready() + " messages ready" + unacked + consumers + ", for every batch of the operation)";
    }

    private static Optional<Diagnosis.Queue> queue(Diagnosis.Facts facts, String name) {
        return facts.queues().stream().filter(q -> q.queue().equals(name)).findFirst();
    }

    /** "about 20 s", "about 3 min", "about 2 h"; under a second is "less than a second". */
    static String about(Duration duration) {
        long seconds = Math.round(duration.toMillis() / 1000.0);
        if (seconds < 1) {
            return "less than a second";
        }
        if (seconds < 90) {
            return "about " + seconds + " s";
        }
        long minutes = Math.round(seconds / 60.0);
        if (minutes < 90) {
            return "about " + minutes + " min";
        }
        return "about " + Math.round(minutes / 60.0) + " h";
    }

    private static String number(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    private static String items(int n) {
        return plural(n, "item");
    }

    private static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String are(int n) {
        return n == 1 ? "is" : "are";
    }

    private static String have(int n) {
        return n == 1 ? "has" : "have";
    }
}
