package io.batchline.worker.consumption;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.stereotype.Component;

/**
 * What this worker holds right now: chunks and items in hand per operation and the batches
 * they belong to, counted around each chunk by {@link ItemChunkListener}. Counters only (a
 * few atomic increments per chunk), read every few seconds by {@link WorkerHeartbeat}.
 */
@Component
class WorkerActivity {

    /** At most this many batch ids go into a heartbeat: enough to say what it is doing. */
    static final int BATCHES_SHOWN = 10;

    private final Instant startedAt = Instant.now();
    private final Map<String, InHand> byOperation = new ConcurrentHashMap<>();
    private final Map<UUID, AtomicInteger> chunksPerBatch = new ConcurrentHashMap<>();
    private final LongAdder itemsTaken = new LongAdder();

    private static final class InHand {
        final AtomicInteger chunks = new AtomicInteger();
        final AtomicInteger items = new AtomicInteger();
    }

    /** Chunks and items of one operation in hand. */
    record Held(int chunks, int items) {
    }

    /**
     * A moment's view: totals, per operation (only those with something in hand), a few batch
     * ids, and the items taken in hand since start-up (a chunk handed back and redelivered counts again).
     */
    record Snapshot(Instant startedAt, int chunks, int items, Map<String, Held> byOperation, List<UUID> batches, long itemsTaken) {
    }

    /** The end of a chunk's time in hand. */
    interface Release extends AutoCloseable {
        @Override
        void close();
    }

    /** Counts a chunk as in hand until the returned handle is closed. */
    Release holding(String operation, List<Delivery> deliveries) {
        if (deliveries.isEmpty()) {
            return () -> { };
        }
        int items = deliveries.size();
        List<UUID> batches = deliveries.stream().map(d -> d.item().batchId()).distinct().toList();
        InHand inHand = byOperation.computeIfAbsent(operation, op -> new InHand());
        inHand.chunks.incrementAndGet();
        inHand.items.addAndGet(items);
        batches.forEach(batch -> chunksPerBatch.computeIfAbsent(batch, b -> new AtomicInteger()).incrementAndGet());
        return () -> {
            inHand.chunks.decrementAndGet();
            inHand.items.addAndGet(-items);
            itemsTaken.add(items);
            // remove at zero atomically, so a concurrent chunk of the same batch is never lost
            batches.forEach(batch -> chunksPerBatch.computeIfPresent(batch, (b, n) -> n.decrementAndGet() <= 0 ? null : n));
        };
    }

    Snapshot snapshot() {
        Map<String, Held> held = new TreeMap<>();
        int chunks = 0;
        int items = 0;
        for (Map.Entry<String, InHand> entry : byOperation.entrySet()) {
            Held h = new Held(entry.getValue().chunks.get(), entry.getValue().items.get());
            if (h.chunks() > 0) {
                held.put(entry.getKey(), h);
                chunks += h.chunks();
                items += h.items();
            }
        }
        List<UUID> batches = new ArrayList<>(chunksPerBatch.keySet().stream().limit(BATCHES_SHOWN).toList());
        return new Snapshot(startedAt, chunks, items, held, batches, itemsTaken.sum());
    }
}
