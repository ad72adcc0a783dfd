package io.batchline.worker.consumption;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.model.messaging.ItemHeaders;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;

class HandlerSlicesTests {

    private static Delivery delivery(UUID batch, int seq, ItemHeaders.BatchTraits traits) {
        return new Delivery(new Message(new byte[0], new MessageProperties()), new ItemHeaders(batch, seq, 0, 1, 5, "noop", traits), null);
    }

    @Test
    void batchesWithoutOptionsShareOneCallAsBefore() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        List<Delivery> chunk = List.of(delivery(a, 0, ItemHeaders.BatchTraits.NONE), delivery(b, 0, ItemHeaders.BatchTraits.NONE),
                delivery(a, 1, new ItemHeaders.BatchTraits("t", 100, 5)));
        assertThat(HandlerSlices.of(chunk, 100, 2)).containsExactly(new HandlerSlices.Slice(null, 0, List.of(0, 1, 2)));
    }

    /** Seeded random chunks: every item in exactly one slice, each slice within its batch's options and the worker's caps. */
    @RepeatedTest(200)
    void slicesCoverEveryItemOnceWithinTheirBatchsOptions() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        int workerChunk = 1 + random.nextInt(120);
        int workerConcurrency = 1 + random.nextInt(6);
        Map<UUID, ItemHeaders.BatchTraits> batches = new HashMap<>();
        for (int i = 0; i < 1 + random.nextInt(5); i++) {
            batches.put(UUID.randomUUID(), new ItemHeaders.BatchTraits("t", random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(150),
                    random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(10)));
        }
        List<UUID> ids = new ArrayList<>(batches.keySet());
        List<Delivery> chunk = new ArrayList<>();
        for (int i = 0; i < 1 + random.nextInt(workerChunk); i++) {
            UUID batch = ids.get(random.nextInt(ids.size()));
            chunk.add(delivery(batch, i, batches.get(batch)));
        }

        List<HandlerSlices.Slice> slices = HandlerSlices.of(chunk, workerChunk, workerConcurrency);
        String context = "seed " + seed + ": " + slices;
        Set<Integer> seen = new HashSet<>();
        for (HandlerSlices.Slice slice : slices) {
            assertThat(slice.indexes()).as(context).isNotEmpty().isSorted();
            slice.indexes().forEach(i -> assertThat(seen.add(i)).as("item %d twice; %s", i, context).isTrue());
            if (slice.batchId() == null) {
                assertThat(slice.maxConcurrency()).as(context).isZero();
                continue;
            }
            ItemHeaders.BatchTraits traits = batches.get(slice.batchId());
            slice.indexes().forEach(i -> assertThat(chunk.get(i).item().batchId()).as(context).isEqualTo(slice.batchId()));
            if (traits.chunkSize() > 0) {
                assertThat(slice.indexes().size()).as(context).isLessThanOrEqualTo(traits.chunkSize());
            }
            assertThat(slice.maxConcurrency()).as(context).isLessThan(workerConcurrency);
            if (traits.maxConcurrency() > 0 && traits.maxConcurrency() < workerConcurrency) {
                assertThat(slice.maxConcurrency()).as(context).isEqualTo(traits.maxConcurrency());
            }
        }
        assertThat(seen).as(context).hasSize(chunk.size());
        // items of a batch whose options the shared call would break never ride in it
        slices.stream().filter(s -> s.batchId() == null).flatMap(s -> s.indexes().stream()).forEach(i -> {
            ItemHeaders.BatchTraits traits = chunk.get(i).item().traits();
            assertThat(traits.maxConcurrency() == 0 || traits.maxConcurrency() >= workerConcurrency).as(context).isTrue();
        });
    }
}
