package io.batchline.worker.operations.crash;

import io.batchline.model.operations.Operation;
import io.batchline.model.operations.Operations;
import io.batchline.worker.operations.ItemOutcome;
import io.batchline.worker.operations.PerItemHandler;
import io.batchline.worker.operations.WorkItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Test-only: an item with {@code crash: true} halts this JVM on the spot (as an OOM kill
 * or a segfault would); other items succeed. Exists to prove that a poison item ends
 * dead-lettered and failed while the rest of its batch completes. Off unless
 * {@code WORKER_TEST_OPERATIONS=true}.
 */
@Component
@ConditionalOnProperty(name = "worker.test-operations", havingValue = "true")
class CrashHandler implements PerItemHandler<CrashItem> {

    private static final Logger log = LoggerFactory.getLogger(CrashHandler.class);

    private static final Operation<CrashItem> OPERATION = new Operation<>(Operations.TEST_CRASH, CrashItem.class, false);

    @Override
    public Operation<CrashItem> operation() {
        return OPERATION;
    }

    @Override
    public ItemOutcome handleOne(WorkItem<CrashItem> item) {
        if (item.payload().crash()) {
            log.error("test.crash: item {} of batch {} halts this worker now", item.seq(), item.batchId());
            Runtime.getRuntime().halt(137);
        }
        return ItemOutcome.succeeded(null);
    }
}
