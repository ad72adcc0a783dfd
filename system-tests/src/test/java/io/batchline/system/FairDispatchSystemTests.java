package io.batchline.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Credit-based dispatch with the API and a slow worker as processes: one tenant's large
 * backlog of slow items does not hold another tenant's small batch behind it, the item queue
 * stays bounded by the window instead of the batch's size, and a cancel of the backlog
 * clears the queue within seconds.
 */
class FairDispatchSystemTests {

    private static final int WINDOW = 600;
    private static final int BACKLOG = 20_000;
    private static BatchlineStack stack;

    @BeforeAll
    static void start() {
        stack = new BatchlineStack(Map.of("BATCH_MAX_ITEMS", "20000", "BATCH_DISPATCH_WINDOW", Integer.toString(WINDOW),
                "BATCH_MAX_BODY_BYTES", "8MB")).startApi();
        stack.startWorker();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aSmallBatchPassesAHugeSlowBacklogAndTheQueueStaysBounded() {
        String bulkKey = stack.submitterKey("bulk-tenant");
        String smallKey = stack.submitterKey("small-tenant");
        // 20,000 items of 200 ms each: minutes of work for one worker
        String slow = IntStream.range(0, BACKLOG).mapToObj(i -> "{\"delayMs\":200}").collect(Collectors.joining(","));
        UUID backlog = submit(bulkKey, slow);
        await().atMost(Duration.ofSeconds(30)).until(() -> view(bulkKey, backlog).get("counts").get("succeeded").asInt() > 0);

        AtomicLong deepest = new AtomicLong();
        UUID small = submit(smallKey, IntStream.range(0, 10).mapToObj(i -> "{\"key\":\"s" + i + "\"}").collect(Collectors.joining(",")));
        long submitted = System.nanoTime();
        await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            deepest.accumulateAndGet(itemQueueDepth(), Math::max);
            assertThat(view(smallKey, small).get("status").asString()).isEqualTo("completed");
        });
        long tookMs = (System.nanoTime() - submitted) / 1_000_000;
        System.out.printf("small batch behind a %d-item backlog: completed in %d ms; deepest item queue %d (window %d)%n",
                BACKLOG, tookMs, deepest.get(), WINDOW);
        JsonNode bulk = view(bulkKey, backlog);
        assertThat(bulk.get("status").asString()).isEqualTo("processing");
        assertThat(bulk.get("counts").get("pending").asInt()).as("the backlog is far from done").isGreaterThan(BACKLOG / 2);
        // the queue holds at most the backlog's window and the small batch, never the whole backlog
        assertThat(deepest.get()).as("deepest item queue while the backlog ran (small batch took %d ms)", tookMs)
                .isLessThanOrEqualTo(WINDOW + 10);

        // cancelling the backlog ends its never-published items at once and leaves at most a
        // window of messages to skip, so the queue is empty within seconds
        assertThat(stack.request("POST", "/api/batches/" + backlog + "/cancel", bulkKey, "").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(view(bulkKey, backlog).get("status").asString()).isEqualTo("cancelled");
            assertThat(itemQueueDepth()).isZero();
        });
        stack.assertCountersEqualItemRows(backlog);
        stack.assertCountersEqualItemRows(small);
    }

    private static UUID submit(String key, String items) {
        BatchlineStack.Answer answer = stack.request("POST", "/api/batches", key, "{\"operation\":\"noop\",\"items\":[" + items + "]}");
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(202);
        return UUID.fromString(answer.body().get("batchId").asString());
    }

    private static JsonNode view(String key, UUID batch) {
        return stack.request("GET", "/api/batches/" + batch, key, null).body();
    }

    private static long itemQueueDepth() {
        for (JsonNode queue : stack.queues()) {
            if (queue.get("name").asString().equals("batch.items.noop")) {
                return queue.path("messages_ready").asLong() + queue.path("messages_unacknowledged").asLong();
            }
        }
        return 0;
    }
}
