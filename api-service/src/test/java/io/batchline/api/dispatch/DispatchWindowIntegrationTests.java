package io.batchline.api.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemResult;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Credit-based dispatch against the real broker and database, with no worker: a batch of the
 * {@code windowed} tenant (window 50, see {@link RealServicesTest}) never has more than its
 * window published and unfinished; ended items return credit through the tracker; a higher
 * priority widens the window; a cancel ends everything never published at once.
 */
class DispatchWindowIntegrationTests extends RealServicesTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private String key;

    @BeforeEach
    void windowedTenant() {
        key = createKey("windowed", "submitter");
    }

    @Test
    void aBatchNeverHasMoreThanItsWindowInFlightAndEndedItemsReturnCredit() {
        UUID batch = submit(180, "{}");
        await().atMost(WAIT).until(() -> dispatched(batch) == 50);
        // parked: the periodic scan claims it again and again, and it publishes nothing more
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> dispatched(batch) == 50);
        assertThat(count("SELECT round_published FROM batches WHERE id = ?", batch)).isEqualTo(50);

        // 20 results free 20 places: exactly 20 more go out
        publishResults(IntStream.range(0, 20).mapToObj(seq -> ItemResult.succeeded(batch, seq, 0, 1, null)).toArray(ItemResult[]::new));
        await().atMost(WAIT).until(() -> dispatched(batch) == 70);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> dispatched(batch) == 70);
        assertThat(inFlight(batch)).isEqualTo(50);

        // the whole batch goes through as its results come in, window by window
        for (int from = 20; from < 180; from += 10) {
            int start = from;
            await().atMost(WAIT).until(() -> dispatched(batch) >= Math.min(180, start + 10));
            publishResults(IntStream.range(start, start + 10).mapToObj(seq -> ItemResult.succeeded(batch, seq, 0, 1, null))
                    .toArray(ItemResult[]::new));
            assertThat(inFlight(batch)).isLessThanOrEqualTo(50);
        }
        await().atMost(WAIT).until(() -> batch(batch).get("status").asString().equals("completed"));
        assertCountersEqualItemRows(batch);
    }

    @Test
    void priorityScalesTheWindowAndACancelEndsTheUnpublishedItemsAtOnce() {
        UUID urgent = submit(150, "{\"priority\":10}");
        UUID gentle = submit(150, "{\"priority\":1}");
        await().atMost(WAIT).until(() -> dispatched(urgent) == 100 && dispatched(gentle) == 10);

        assertThat(postAs("/api/batches/" + gentle + "/cancel").status()).isEqualTo(202);
        // 140 items were never published: they end at once; the 10 in the queue wait for a worker's report
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode view = batch(gentle);
            assertThat(view.get("counts").get("cancelled").asInt()).isEqualTo(140);
            assertThat(view.get("counts").get("pending").asInt()).isEqualTo(10);
        });
        assertCountersEqualItemRows(gentle);
        // no worker runs here: leave nothing waiting for credit (other tests wait for every batch to be dispatched)
        assertThat(postAs("/api/batches/" + urgent + "/cancel").status()).isEqualTo(202);
        await().atMost(WAIT).until(() -> batch(urgent).get("counts").get("cancelled").asInt() == 50);
    }

    @Test
    void anUnknownOrOutOfRangePriorityIsRefused() {
        Answer refused = as(key, "POST", "/api/batches", "application/json",
                "{\"operation\":\"user.lookup\",\"options\":{\"priority\":11},\"items\":[{\"email\":\"a@x.io\"}]}", Map.of());
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().toString()).contains("priority");
    }

    private UUID submit(int items, String options) {
        StringBuilder body = new StringBuilder("{\"operation\":\"user.lookup\",\"options\":" + options + ",\"items\":[");
        for (int i = 0; i < items; i++) {
            body.append(i == 0 ? "" : ",").append("{\"email\":\"w").append(i).append("@x.io\"}");
        }
        Answer answer = as(key, "POST", "/api/batches", "application/json", body.append("]}").toString(), Map.of());
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(202);
        return id(answer);
    }

    private Answer postAs(String path) {
        return as(key, "POST", path, "application/json", "", Map.of());
    }

    private int dispatched(UUID batch) {
        return count("SELECT dispatched FROM batches WHERE id = ?", batch);
    }

    private int inFlight(UUID batch) {
        return count("SELECT round_published - (succeeded + failed + cancelled + timed_out - round_ended_base) FROM batches WHERE id = ?", batch);
    }
}
