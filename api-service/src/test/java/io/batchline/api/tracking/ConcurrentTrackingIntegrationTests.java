package io.batchline.api.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.status.ItemStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two tracker consumers per instance record at once. Seeded: several batches' results,
 * each sent one to three times with possibly different outcomes (an item run twice), in
 * random order and random message sizes, so duplicates of one item and results of one
 * batch land in both consumers' transactions at once. Every item is counted exactly once,
 * with one of the outcomes sent for it, and every batch ends with counters that match its rows.
 */
class ConcurrentTrackingIntegrationTests extends RealServicesTest {

    @Test
    void resultsRecordedByTwoConsumersAtOnceAreCountedExactlyOnce() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String why = "seed " + seed;
        List<UUID> batches = new ArrayList<>();
        Map<String, Set<ItemStatus>> sent = new HashMap<>();
        List<ItemResult> results = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            int items = 50 + random.nextInt(150);
            UUID batch = submitLookups(items, "{}");
            batches.add(batch);
            for (int seq = 0; seq < items; seq++) {
                int copies = 1 + random.nextInt(3);
                for (int c = 0; c < copies; c++) {
                    boolean ok = random.nextInt(4) > 0;
                    ItemResult result = new ItemResult(batch, seq, 0, 1, ok ? ItemStatus.SUCCEEDED : ItemStatus.FAILED, null,
                            ok ? null : new ItemError("x.failed", "no luck"), Instant.now());
                    results.add(result);
                    sent.computeIfAbsent(batch + "/" + seq, k -> new HashSet<>()).add(result.status());
                }
            }
        }
        Collections.shuffle(results, random);
        for (int from = 0; from < results.size(); ) {
            int to = Math.min(results.size(), from + 1 + random.nextInt(120));
            publishResults(results.subList(from, to).toArray(ItemResult[]::new));
            from = to;
        }

        for (UUID batch : batches) {
            await(why).atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(batch(batch).get("status").asString()).as(why).isIn("completed", "failed"));
            assertCountersEqualItemRows(batch);
            jdbc.sql("SELECT seq, status FROM batch_items WHERE batch_id = ?").param(batch)
                    .query((rs, n) -> Map.entry(rs.getInt(1), ItemStatus.fromWireName(rs.getString(2)))).list()
                    .forEach(row -> assertThat(sent.get(batch + "/" + row.getKey())).as(why + ": item " + row.getKey())
                            .contains(row.getValue()));
        }
    }
}
