package io.batchline.api.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.status.ItemStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class PaginationIntegrationTests extends RealServicesTest {

    @Test
    void walksAllItemsPageByPageWithoutGapsOrRepeats() {
        String items = IntStream.range(0, 95).mapToObj(i -> "{\"email\":\"u" + i + "@x.io\"}").collect(Collectors.joining(","));
        UUID id = id(postJson("/api/batches", "{\"operation\":\"user.lookup\",\"items\":[" + items + "]}"));

        List<Integer> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = get("/api/batches/" + id + "/items?limit=20" + (cursor == null ? "" : "&cursor=" + cursor)).body();
            page.get("data").forEach(item -> seen.add(item.get("seq").asInt()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
            pages++;
        } while (cursor != null);

        assertThat(pages).isEqualTo(5);
        assertThat(seen).containsExactlyElementsOf(IntStream.range(0, 95).boxed().toList());
        JsonNode first = get("/api/batches/" + id + "/items?limit=1").body().get("data").get(0);
        assertThat(first.get("key").asString()).isEqualTo("u0@x.io");
        assertThat(first.get("status").asString()).isEqualTo("pending");
        assertThat(get("/api/batches/" + id + "/items?status=failed").body().get("data").size()).isZero();
    }

    @Test
    void listsACreatorsBatchesNewestFirstAcrossPages() {
        String creator = "creator-" + UUID.randomUUID();
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            submitted.add(id(postJson("/api/batches", "{\"operation\":\"user.lookup\",\"creator\":\"" + creator
                    + "\",\"items\":[{\"email\":\"a@b.io\"}]}")).toString());
        }
        List<String> listed = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = get("/api/batches?creator=" + creator + "&limit=2" + (cursor == null ? "" : "&cursor=" + cursor)).body();
            page.get("data").forEach(batch -> listed.add(batch.get("batchId").asString()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
        } while (cursor != null);
        assertThat(listed).containsExactlyElementsOf(submitted.reversed());

        JsonNode seedPage = get("/api/batches/creator/" + creator + "?limit=10").body();
        assertThat(seedPage.get("data").size()).isEqualTo(5);
        assertThat(seedPage.get("nextCursor").isNull()).isTrue();
    }

    /**
     * One tenant of its own (so other tests' batches cannot change the numbers) with batches
     * brought into every stable state through the API and the results queue; its stats must
     * give exactly those numbers, another tenant's none of them, and the admin's at least them.
     */
    @Test
    void statsCountBatchesPerStatus() {
        String tenant = "stats-" + UUID.randomUUID();
        String key = createKey(tenant, "submitter");

        UUID completed = submit(key, 2, "{}");
        UUID completedWithAFailure = submit(key, 2, "{}");
        UUID failFast = submit(key, 3, "{\"continueOnError\":false}");
        UUID cancelled = submit(key, 2, "{}");
        UUID timedOut = submit(key, 2, "{\"timeoutSeconds\":1}");
        UUID halfDone = submit(key, 3, "{}");
        UUID untouched = submit(key, 1, "{}");

        UUID stopping = submit(key, 1, "{}");

        publishResults(ItemResult.succeeded(completed, 0, 0, 1, null), ItemResult.succeeded(completed, 1, 0, 1, null),
                ItemResult.succeeded(completedWithAFailure, 0, 0, 1, null), failed(completedWithAFailure, 1),
                failed(failFast, 0), ItemResult.succeeded(halfDone, 0, 0, 1, null));
        assertThat(as(key, "POST", "/api/batches/" + cancelled + "/cancel", null, null, Map.of()).status()).isEqualTo(202);
        assertThat(as(key, "POST", "/api/batches/" + stopping + "/cancel", null, null, Map.of()).status()).isEqualTo(202);
        // stopped batches end once the workers (played here) report their items not yet run
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (UUID batch : List.of(failFast, cancelled, timedOut)) {
                assertThat(batch(batch).get("status").asString()).as(batch.toString()).isEqualTo("stopping");
            }
        });
        publishResults(skipped(failFast, 1, ItemStatus.CANCELLED), skipped(failFast, 2, ItemStatus.CANCELLED),
                skipped(cancelled, 0, ItemStatus.CANCELLED), skipped(cancelled, 1, ItemStatus.CANCELLED),
                skipped(timedOut, 0, ItemStatus.TIMED_OUT), skipped(timedOut, 1, ItemStatus.TIMED_OUT));

        Map<UUID, String> expected = Map.of(completed, "completed", completedWithAFailure, "completed", failFast, "failed",
                cancelled, "cancelled", timedOut, "timed_out", halfDone, "processing", untouched, "processing",
                stopping, "stopping");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            expected.forEach((batch, status) -> assertThat(batch(batch).get("status").asString()).as(batch.toString()).isEqualTo(status));
            assertThat(batch(halfDone).get("counts").get("succeeded").asInt()).isEqualTo(1);
        });

        JsonNode stats = as(key, "GET", "/api/batches/stats", null, null, Map.of()).body();
        assertThat(stats.get("batchesByStatus")).isEqualTo(json.readTree(
                "{\"completed\":2,\"failed\":1,\"cancelled\":1,\"timed_out\":1,\"processing\":2,\"stopping\":1}"));
        assertThat(stats.get("totalBatches").asLong()).isEqualTo(8);
        // succeeded: 2 + 1 + 1 (halfDone); failed counts failed and timed-out items: 1 + 1 (failFast) + 2 (timedOut)
        assertThat(stats.get("itemsSucceeded").asLong()).isEqualTo(4);
        assertThat(stats.get("itemsFailed").asLong()).isEqualTo(4);
        assertThat(stats.get("successRate").asDouble()).isEqualTo(0.5);
        assertThat(stats.get("averageProcessingSeconds").asDouble()).isBetween(0.0, 60.0);

        JsonNode stranger = as(createKey("stats-stranger-" + UUID.randomUUID(), "submitter"), "GET", "/api/batches/stats",
                null, null, Map.of()).body();
        assertThat(stranger.get("totalBatches").asLong()).isZero();
        assertThat(stranger.get("batchesByStatus").size()).isZero();
        assertThat(stranger.get("itemsSucceeded").asLong()).isZero();
        assertThat(stranger.get("successRate").asDouble()).isZero();

        JsonNode everyone = get("/api/batches/stats").body();
        assertThat(everyone.get("totalBatches").asLong()).isGreaterThanOrEqualTo(8);
        for (String status : List.of("completed", "failed", "cancelled", "timed_out", "processing", "stopping")) {
            assertThat(everyone.get("batchesByStatus").get(status).asLong()).as(status)
                    .isGreaterThanOrEqualTo(stats.get("batchesByStatus").get(status).asLong());
        }
    }

    private UUID submit(String key, int items, String options) {
        String body = IntStream.range(0, items).mapToObj(i -> "{\"email\":\"s" + i + "@b.io\"}").collect(Collectors.joining(","));
        Answer answer = as(key, "POST", "/api/batches", "application/json",
                "{\"operation\":\"user.lookup\",\"options\":" + options + ",\"items\":[" + body + "]}", Map.of());
        assertThat(answer.status()).as("submission: %s", answer.body()).isEqualTo(202);
        return id(answer);
    }

    private static ItemResult skipped(UUID batch, int seq, ItemStatus status) {
        return ItemResult.stopped(batch, seq, 0, 1, status, new ItemError("batch.stopped", "stopped"));
    }

    private static ItemResult failed(UUID batch, int seq) {
        return ItemResult.failed(batch, seq, 0, 1, new ItemError("x.failed", "no luck"));
    }
}
