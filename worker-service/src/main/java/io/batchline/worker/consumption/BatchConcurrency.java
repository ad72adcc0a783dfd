package io.batchline.worker.consumption;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import org.springframework.stereotype.Component;

/**
 * A batch's {@code maxConcurrency} in this worker: at most that many of its chunks run at
 * once, across all of this worker's consumers of the operation. Permits per batch live as
 * long as the batch keeps arriving (entries of quiet batches expire). The cap is per worker
 * process, like the seed's in-process limit; more replicas run more chunks.
 */
@Component
class BatchConcurrency {

    private final Cache<UUID, Semaphore> permits = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10))
            .build();

    /** Blocks until a chunk of the batch may run; close the returned handle when it is done. */
    AutoCloseable acquire(UUID batchId, int maxConcurrency) throws InterruptedException {
        Semaphore semaphore = permits.get(batchId, id -> new Semaphore(maxConcurrency, true));
        semaphore.acquire();
        return semaphore::release;
    }
}
