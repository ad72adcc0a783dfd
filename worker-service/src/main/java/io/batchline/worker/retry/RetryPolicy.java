package io.batchline.worker.retry;

import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemHeaders;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
import io.batchline.worker.operations.ItemOutcome;

/**
 * The retry rules, in the order they apply:
 * <ol>
 * <li>an item that succeeded is reported;
 * <li>an item that failed permanently (bad data, not found, a business rule) is reported
 *     failed at once, because no attempt can change that;
 * <li>an item that failed retryably and has attempts left waits in the delay tier for the
 *     attempt that failed (1 s, 5 s, 30 s, 2 min, then 2 min again) and runs again;
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
                    new Decision.RetryLater(Topology.retryTierAfter(item.attempt()), item.nextAttempt(), describe(failed.error()), failed.error());
            case ItemOutcome.Failed failed -> giveUp(item, new ItemError(failed.error().code(),
                    failed.error().message() + " (gave up after attempt " + item.attempt() + ")"));
        };
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
