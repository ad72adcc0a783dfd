package io.batchline.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The whole pipeline with the API and two workers running as separate processes. */
class PipelineSystemTests {

    private static BatchlineStack stack;

    @BeforeAll
    static void startStack() {
        stack = new BatchlineStack(Map.of("BATCH_MAX_ITEMS", "20000")).startApi();
        stack.startWorker();
        stack.startWorker();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void tenThousandItemsThroughTwoWorkersCompleteWithExactCounts() {
        String items = IntStream.range(0, 10_000).mapToObj(i -> "{\"key\":\"item-" + i + "\"}").collect(Collectors.joining(","));
        UUID batch = stack.submit("noop", items);

        JsonNode done = stack.awaitEnd(batch, Duration.ofMinutes(3));
        assertThat(done.get("status").asString()).isEqualTo("completed");
        assertThat(done.get("counts").get("succeeded").asInt()).isEqualTo(10_000);
        assertThat(done.get("counts").get("pending").asInt()).isZero();
        assertThat(done.get("percent").asDouble()).isEqualTo(100.0);
        assertThat(done.get("completedAt").isNull()).isFalse();
        stack.assertCountersEqualItemRows(batch);
        // both workers took part: each one's own metrics count succeeded noop items
        for (ServiceProcess worker : stack.workers()) {
            assertThat(stack.succeededItems(worker, "noop")).as("%s", worker).isPositive();
        }
    }

    @Test
    void failRateBatchEndsWithExactFailuresEachReadableThroughTheItemsEndpoint() {
        String items = IntStream.range(0, 1000).mapToObj(i -> "{\"n\":" + i + ",\"failRate\":0.1}").collect(Collectors.joining(","));
        UUID batch = stack.submit("noop", items);

        JsonNode done = stack.awaitEnd(batch, Duration.ofMinutes(2));
        assertThat(done.get("status").asString()).isEqualTo("completed");
        assertThat(done.get("counts").get("failed").asInt()).isEqualTo(100);
        assertThat(done.get("counts").get("succeeded").asInt()).isEqualTo(900);
        stack.assertCountersEqualItemRows(batch);

        Set<Integer> failedSeqs = new HashSet<>();
        String cursor = null;
        do {
            JsonNode page = stack.get("/api/batches/" + batch + "/items?status=failed&limit=30"
                    + (cursor == null ? "" : "&cursor=" + cursor)).body();
            for (JsonNode item : page.get("data")) {
                assertThat(item.get("status").asString()).isEqualTo("failed");
                assertThat(item.get("error").get("code").asString()).isEqualTo("noop.planned_failure");
                assertThat(item.get("error").get("message").asString()).contains("failRate");
                failedSeqs.add(item.get("seq").asInt());
            }
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
        } while (cursor != null);
        assertThat(failedSeqs).hasSize(100).contains(9, 19, 999);
    }

    @Test
    void seedPriceUpdateWorksEndToEndOnTheCatalog() {
        String creator = "SP2ZNGJ85ENDY6QTHQ4P3KCQJRNYWB43HCUB7QY0J";
        List<String> contents = IntStream.range(0, 3).mapToObj(i -> "content-" + UUID.randomUUID()).toList();
        for (String content : contents) {
            stack.execute("INSERT INTO catalog.content (id, creator, title, price) VALUES (?, ?, 'A title', 5)", content, creator);
        }
        String ids = contents.stream().map(c -> "\"" + c + "\"").collect(Collectors.joining(","));
        BatchlineStack.Answer answer = stack.post("/api/batches/batch-update-price", "application/json",
                "{\"creator\":\"" + creator + "\",\"contentIds\":[" + ids + ",\"no-such-content\"],\"newPrice\":1000000}");
        assertThat(answer.status()).isEqualTo(201);
        assertThat(answer.body().get("message").asString()).isEqualTo("Batch price update initiated");
        UUID batch = UUID.fromString(answer.body().get("batchId").asString());

        JsonNode done = stack.awaitEnd(batch, Duration.ofMinutes(1));
        assertThat(done.get("status").asString()).isEqualTo("completed");
        assertThat(done.get("successCount").asInt()).isEqualTo(3);
        assertThat(done.get("failureCount").asInt()).isEqualTo(1);
        for (String content : contents) {
            assertThat(new BigDecimal(stack.queryInt("SELECT price::int FROM catalog.content WHERE id = ?", content)))
                    .isEqualByComparingTo("1000000");
        }
        JsonNode failed = stack.get("/api/batches/" + batch + "/items?status=failed").body().get("data").get(0);
        assertThat(failed.get("key").asString()).isEqualTo("no-such-content");
        assertThat(failed.get("error").get("code").asString()).isEqualTo("content.not_found");

        JsonNode listed = stack.get("/api/batches/creator/" + creator).body().get("data");
        assertThat(listed.valueStream().map(b -> b.get("batchId").asString())).contains(batch.toString());
        stack.assertCountersEqualItemRows(batch);
    }
}
