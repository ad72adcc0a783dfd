package io.batchline.worker.retry;

import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemHeaders;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;

/** What becomes of an item after one attempt. */
public sealed interface Decision {

    /** The item has its outcome: report it to the tracker. */
    record Report(ItemResult result) implements Decision {
    }

    /**
     * Try again later: the item waits in {@code tier} and comes back as attempt {@code next.attempt()};
     * {@code error} is why this attempt failed, {@code lastError} the same as the header text.
     */
    record RetryLater(Topology.RetryTier tier, ItemHeaders next, String lastError, ItemError error) implements Decision {
    }

    /** No attempt left or nothing to retry: report it failed and keep a copy in the dead letters. */
    record GiveUp(ItemResult result, String lastError) implements Decision {
    }
}
