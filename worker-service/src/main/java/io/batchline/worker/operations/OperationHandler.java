package io.batchline.worker.operations;

import io.batchline.model.operations.ItemPayload;
import io.batchline.model.operations.Operation;
import java.util.List;

/**
 * The code behind one operation. It is given a whole delivery chunk at once so that it can
 * do set-based work (one UPDATE for a hundred prices) instead of one round trip per item;
 * handlers that naturally work item by item implement {@link PerItemHandler} instead.
 *
 * <p>Contract: return exactly one outcome per item, in order. An item-level problem is an
 * outcome, not an exception. An exception means the whole chunk could not be handled: if
 * it is the database being unavailable the chunk is held and handled again once it is back
 * (no attempt is used); any other exception fails the chunk's items retryably
 * ({@code handler.error}).
 */
public interface OperationHandler<P extends ItemPayload> {

    Operation<P> operation();

    List<ItemOutcome> handle(List<WorkItem<P>> items);
}
