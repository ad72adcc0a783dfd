package io.batchline.worker.consumption;

import io.batchline.model.messaging.ItemHeaders;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Splits a delivery chunk into handler calls by its batches' options. A delivery chunk may
 * hold items of several batches, and by default they all go to the handler in one call.
 * A batch that asks for smaller chunks ({@code chunkSize}) or fewer at once
 * ({@code maxConcurrency}, below this worker's consumer count) gets its own calls of at most
 * its chunk size, each counted against its concurrency cap. The worker's own chunk size and
 * consumer count cap both options.
 */
final class HandlerSlices {

    /**
     * One handler call.
     *
     * @param batchId        the batch whose options shaped the slice, or null for the shared slice
     * @param maxConcurrency most slices of that batch at once in this worker, 0 for no cap
     * @param indexes        positions of the slice's items in the chunk, in order
     */
    record Slice(@Nullable UUID batchId, int maxConcurrency, List<Integer> indexes) {
    }

    private HandlerSlices() {
    }

    static List<Slice> of(List<Delivery> chunk, int workerChunkSize, int workerConcurrency) {
        Map<UUID, List<Integer>> byBatch = new LinkedHashMap<>();
        for (int i = 0; i < chunk.size(); i++) {
            byBatch.computeIfAbsent(chunk.get(i).item().batchId(), id -> new ArrayList<>()).add(i);
        }
        List<Integer> shared = new ArrayList<>();
        List<Slice> slices = new ArrayList<>();
        for (Map.Entry<UUID, List<Integer>> batch : byBatch.entrySet()) {
            ItemHeaders.BatchTraits traits = chunk.get(batch.getValue().getFirst()).item().traits();
            int size = traits.chunkSize() > 0 ? Math.min(traits.chunkSize(), workerChunkSize) : workerChunkSize;
            int cap = traits.maxConcurrency() > 0 && traits.maxConcurrency() < workerConcurrency ? traits.maxConcurrency() : 0;
            List<Integer> items = batch.getValue();
            if (cap == 0 && size >= items.size()) {
                shared.addAll(items);
                continue;
            }
            for (int from = 0; from < items.size(); from += size) {
                slices.add(new Slice(batch.getKey(), cap, List.copyOf(items.subList(from, Math.min(items.size(), from + size)))));
            }
        }
        if (!shared.isEmpty()) {
            shared.sort(null);
            slices.addFirst(new Slice(null, 0, shared));
        }
        return slices;
    }
}
