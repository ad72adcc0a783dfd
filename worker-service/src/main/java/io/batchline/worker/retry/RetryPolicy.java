package io.batchline.worker.retry;

import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemHeaders;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
import io.batchline.worker.operations.ItemOutcome;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The retry rules, in the order they apply:
 * <ol>
 * <li>an item that succeeded is reported;
 * <li>an item that failed permanently (bad data, not found, a business rule) is reported
 *     failed at once, because no attempt can change that;
 * <li>an item that failed retryably and has attempts left waits in the delay tier for the
 *     attempt that failed (1 s, 5 s, 30 s, 2 min, then 2 min again) and runs again; when the
 *     failure carries a {@code Retry-After}, it waits in the first tier at least that long
 *     if that is longer (at most the 2-minute tier);
 * <li>an item that failed retryably on its last attempt gives up: it is reported failed and
 *     a copy goes to the dead letters;
 * <li>an item whose body cannot be read gives up at once (it would never read better).
 * </ol>
 * A failure of the infrastructure (database or broker down) is none of these: it never
 * reaches this policy, because the chunk is held and tried again without using an attempt.
 */
public final class RetryPolicy {

    public Decision after(ItemHeaders item, ItemOutcome outcome) {
        return switch (outcome) {
            case ItemOutcome.Succeeded ok ->
                    new Decision.Report(ItemResult.succeeded(item.batchId(), item.seq(), item.round(), item.attempt(), ok.result()));
            case ItemOutcome.Failed failed when !failed.retryable() ->
                    new Decision.Report(ItemResult.failed(item.batchId(), item.seq(), item.round(), item.attempt(), failed.error()));
            case ItemOutcome.Failed failed when item.hasAttemptsLeft() ->
                    new Decision.RetryLater(tier(item.attempt(), failed.retryAfter()), item.nextAttempt(), describe(failed.error()),
                            failed.error());
            case ItemOutcome.Failed failed -> giveUp(item, new ItemError(failed.error().code(),
                    failed.error().message() + " (gave up after attempt " + item.attempt() + ")"));
        };
    }

    /**
     * The delay tier for a retry after {@code failedAttempt}: the attempt's own tier, or, when
     * the failure asked for a longer wait ({@code Retry-After}), the first tier at least that
     * long, capped at the longest tier (a remote asking for an hour gets 2 minutes, and then
     * says so again if it still means it).
     */
    static Topology.RetryTier tier(int failedAttempt, @Nullable Duration retryAfter) {
        Topology.RetryTier usual = Topology.retryTierAfter(failedAttempt);
        if (retryAfter == null || retryAfter.compareTo(usual.delay()) <= 0) {
            return usual;
        }
        for (Topology.RetryTier tier : Topology.RETRY_TIERS) {
            if (tier.delay().compareTo(retryAfter) >= 0) {
                return tier;
            }
        }
        return Topology.RETRY_TIERS.getLast();
    }

    public Decision unreadable(ItemHeaders item, String operation) {
        return giveUp(item, new ItemError("unreadable_payload", "the item body is not a valid " + operation + " item"));
    }

    private static Decision giveUp(ItemHeaders item, ItemError error) {
        return new Decision.GiveUp(ItemResult.failed(item.batchId(), item.seq(), item.round(), item.attempt(), error),
                describe(error));
    }

    private static String describe(ItemError error) {
        return error.code() + ": " + error.message();
    }
}
