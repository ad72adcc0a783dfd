package io.batchline.worker.consumption;

import io.batchline.worker.support.SqlArrays;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Knows which batches have stopped (cancelled, failed fast, timed out), so their items are
 * skipped instead of run. Two sources: the stop broadcast on {@code batch.control} (within
 * about a second), and, for a worker that missed it, a status check of the chunk's batches
 * in the database at most once a second per batch.
 */
@Component
class StoppedBatches {

    static final String ENDED = "SELECT id FROM batches WHERE id = ANY(?::uuid[]) AND status NOT IN ('pending', 'processing')";
    private static final long RECHECK_NANOS = Duration.ofSeconds(1).toNanos();
    private static final int MAX_REMEMBERED = 100_000;

    private final JdbcClient jdbc;
    private final Set<UUID> stopped = ConcurrentHashMap.newKeySet();
    private final Map<UUID, Long> lastChecked = new ConcurrentHashMap<>();
    private volatile long lastWarning = System.nanoTime() - Duration.ofHours(1).toNanos();
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(StoppedBatches.class);

    StoppedBatches(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void stopped(UUID batchId) {
        if (stopped.size() > MAX_REMEMBERED) {
            stopped.clear();
        }
        stopped.add(batchId);
    }

    /** Of the given batches, those that have stopped. */
    Set<UUID> among(Collection<UUID> batchIds) {
        Set<UUID> result = new HashSet<>();
        Set<UUID> toCheck = new HashSet<>();
        long now = System.nanoTime();
        for (UUID id : batchIds) {
            if (stopped.contains(id)) {
                result.add(id);
            } else if (now - lastChecked.getOrDefault(id, now - RECHECK_NANOS - 1) > RECHECK_NANOS) {
                toCheck.add(id);
            }
        }
        if (!toCheck.isEmpty()) {
            if (lastChecked.size() > MAX_REMEMBERED) {
                lastChecked.clear();
            }
            toCheck.forEach(id -> lastChecked.put(id, now));
            try {
                List<UUID> ended = jdbc.sql(ENDED).params(List.of(SqlArrays.of("uuid", toCheck.toArray(UUID[]::new))))
                        .query(UUID.class).list();
                ended.forEach(this::stopped);
                result.addAll(ended);
            } catch (RuntimeException e) {
                // fail open: running an item of a stopped batch wastes work but corrupts nothing,
                // because the tracker only records results for items still waiting for one
                if (now - lastWarning > Duration.ofMinutes(1).toNanos()) {
                    lastWarning = now;
                    log.warn("Could not check whether batches stopped, running their items: {}", e.getMessage());
                }
            }
        }
        return result;
    }
}
