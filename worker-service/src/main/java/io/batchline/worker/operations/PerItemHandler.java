package io.batchline.worker.operations;

import io.batchline.model.operations.ItemPayload;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A handler that works one item at a time and says so by throwing {@link ItemFailure}.
 * When {@link #concurrent()} is true the items of a chunk run at the same time on virtual
 * threads: right for handlers that mostly wait (remote calls, delays).
 */
public interface PerItemHandler<P extends ItemPayload> extends OperationHandler<P> {

    ItemOutcome handleOne(WorkItem<P> item);

    default boolean concurrent() {
        return false;
    }

    @Override
    default List<ItemOutcome> handle(List<WorkItem<P>> items) {
        if (!concurrent() || items.size() == 1) {
            return items.stream().map(this::guarded).toList();
        }
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<ItemOutcome>> futures = new ArrayList<>(items.size());
            for (WorkItem<P> item : items) {
                futures.add(threads.submit(() -> guarded(item)));
            }
            List<ItemOutcome> outcomes = new ArrayList<>(items.size());
            for (Future<ItemOutcome> future : futures) {
                outcomes.add(future.get());
            }
            return outcomes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handling items", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private ItemOutcome guarded(WorkItem<P> item) {
        try {
            return handleOne(item);
        } catch (ItemFailure failure) {
            return failure.toOutcome();
        }
    }
}
