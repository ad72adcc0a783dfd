package io.batchline.worker.operations.noop;

import io.batchline.model.operations.NoopItem;
import io.batchline.model.operations.Operation;
import io.batchline.model.operations.Operations;
import io.batchline.worker.operations.ItemFailure;
import io.batchline.worker.operations.ItemOutcome;
import io.batchline.worker.operations.PerItemHandler;
import io.batchline.worker.operations.WorkItem;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Does nothing, on purpose: waits {@code delayMs} if asked and echoes the item's other
 * fields back. {@code failRate} fails exactly {@code floor(n * failRate)} of items
 * 0..n-1, spread evenly by sequence number, so demos and tests know the count in advance;
 * {@code failAttempts} fails the first attempts retryably, to show retries with backoff.
 */
@Component
class NoopHandler implements PerItemHandler<NoopItem> {

    @Override
    public Operation<NoopItem> operation() {
        return Operations.NOOP;
    }

    @Override
    public boolean concurrent() {
        return true;
    }

    @Override
    public ItemOutcome handleOne(WorkItem<NoopItem> item) {
        NoopItem payload = item.payload();
        if (payload.delayMs() != null && payload.delayMs() > 0) {
            try {
                Thread.sleep(payload.delayMs());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ItemFailure.retryable("interrupted", "worker stopped while the item waited", e);
            }
        }
        if (payload.failAttempts() != null && item.attempt() <= payload.failAttempts()) {
            throw ItemFailure.retryable("noop.planned_transient_failure",
                    "attempt " + item.attempt() + " failed on purpose (failAttempts " + payload.failAttempts() + ")", null);
        }
        if (payload.failRate() != null && failsAt(item.seq(), payload.failRate())) {
            throw ItemFailure.permanent("noop.planned_failure", "failed on purpose (failRate " + payload.failRate() + ")");
        }
        ObjectNode echo = item.raw().isObject() ? ((ObjectNode) item.raw()).deepCopy() : null;
        if (echo != null) {
            echo.remove("delayMs");
            echo.remove("failRate");
            echo.remove("failAttempts");
        }
        return ItemOutcome.succeeded(echo);
    }

    /** True for the items where floor(seq * rate) steps up: exactly floor(n * rate) of the first n. */
    static boolean failsAt(int seq, double rate) {
        return Math.floor((seq + 1) * rate) > Math.floor(seq * rate);
    }
}
