package io.batchline.worker.consumption;

import io.batchline.model.operations.ItemPayload;
import io.batchline.support.TransientFailures;
import io.batchline.worker.operations.ItemOutcome;
import io.batchline.worker.operations.OperationHandler;
import io.batchline.worker.operations.WorkItem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs an operation's handler on the bound items of a chunk within the operation's time
 * limit. A chunk that overruns fails retryably ({@code handler.timeout}); a handler that
 * throws fails the chunk retryably ({@code handler.error}) — unless what it threw is the
 * database being unavailable, which is no fault of the items: that is rethrown as
 * {@link InfrastructureUnavailable} so the chunk is held and tried again without using
 * an attempt.
 */
final class HandlerRun<P extends ItemPayload> {

    private static final Logger log = LoggerFactory.getLogger(HandlerRun.class);

    private final OperationHandler<P> handler;
    private final ExecutorService threads;
    private final Duration timeLimit;

    HandlerRun(OperationHandler<P> handler, ExecutorService threads, Duration timeLimit) {
        this.handler = handler;
        this.threads = threads;
        this.timeLimit = timeLimit;
    }

    /** One outcome per item, in order. */
    List<ItemOutcome> run(List<WorkItem<P>> work) {
        if (work.isEmpty()) {
            return List.of();
        }
        // the handler's thread logs with the chunk's item fields (batchId, seq range, ...)
        Map<String, String> logFields = MDC.getCopyOfContextMap();
        Future<List<ItemOutcome>> future = threads.submit(() -> {
            if (logFields != null) {
                MDC.setContextMap(logFields);
            }
            try {
                return handler.handle(work);
            } finally {
                MDC.clear();
            }
        });
        try {
            List<ItemOutcome> outcomes = future.get(timeLimit.toMillis(), TimeUnit.MILLISECONDS);
            if (outcomes.size() != work.size()) {
                throw new IllegalStateException(handler.getClass().getSimpleName() + " returned " + outcomes.size()
                        + " outcomes for " + work.size() + " items");
            }
            return outcomes;
        } catch (TimeoutException e) {
            future.cancel(true);
            return all(work.size(), ItemOutcome.retryableFailure("handler.timeout",
                    "not finished within " + timeLimit.toMillis() + " ms"));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (TransientFailures.isTransient(cause)) {
                throw new InfrastructureUnavailable(handler.operation().name() + " handler", cause);
            }
            log.warn("{} handler failed on a chunk of {} items: {}", handler.operation().name(), work.size(), cause.toString());
            return all(work.size(), ItemOutcome.retryableFailure("handler.error",
                    cause.getClass().getSimpleName() + ": " + cause.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new WorkerStopping(e);
        }
    }

    private static List<ItemOutcome> all(int n, ItemOutcome outcome) {
        return new ArrayList<>(Collections.nCopies(n, outcome));
    }

    /** The database (or another part of the infrastructure) is down: hold the chunk and try again. */
    static final class InfrastructureUnavailable extends RuntimeException {
        InfrastructureUnavailable(String what, Throwable cause) {
            super(what + ": " + cause, cause);
        }
    }

    /** The worker is shutting down while a chunk is in hand: give it back untouched. */
    static final class WorkerStopping extends RuntimeException {
        WorkerStopping(Throwable cause) {
            super("worker stopping", cause);
        }
    }
}
