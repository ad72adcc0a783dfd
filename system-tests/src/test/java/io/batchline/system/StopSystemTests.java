package io.batchline.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Stops with real workers running as processes: the two ordinary paths issue 7 found
 * broken. A stopped batch re-run with /retry must end; a cancel while chunks are in flight
 * must give counts that never change once the status is terminal.
 */
class StopSystemTests {

    private static final List<String> TERMINAL = List.of("completed", "failed", "cancelled", "timed_out");
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

    private UUID submit(String options, String items) {
        BatchlineStack.Answer answer = stack.post("/api/batches", "application/json",
                "{\"operation\":\"noop\",\"options\":" + options + ",\"items\":[" + items + "]}");
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(202);
        return UUID.fromString(answer.body().get("batchId").asString());
    }

    @Test
    void failFastBatchRetriedAfterItsStopRunsToTheEnd() {
        // item 0 fails on its first two attempts (retryably), then succeeds; maxAttempts 1 makes
        // the first failure final, which trips fail-fast
        String items = IntStream.range(0, 2000)
                .mapToObj(i -> i == 0 ? "{\"key\":\"flaky\",\"failAttempts\":1}" : "{\"key\":\"k" + i + "\",\"delayMs\":2}")
                .collect(Collectors.joining(","));
        UUID batch = submit("{\"continueOnError\":false,\"maxAttempts\":1}", items);

        JsonNode stopped = stack.awaitEnd(batch, Duration.ofMinutes(2));
        assertThat(stopped.get("status").asString()).isEqualTo("failed");
        assertThat(stopped.get("counts").get("failed").asInt()).isEqualTo(1);
        stack.assertCountersEqualItemRows(batch);

        BatchlineStack.Answer retry = stack.post("/api/batches/" + batch + "/retry", "application/json", "");
        assertThat(retry.status()).isEqualTo(202);
        // the workers remember the stop of round 0; round 1 must run anyway
        JsonNode again = stack.awaitEnd(batch, Duration.ofMinutes(1));
        assertThat(again.get("status").asString()).isEqualTo("completed");
        assertThat(again.get("counts").get("failed").asInt()).isZero();
        assertThat(again.get("counts").get("pending").asInt()).isZero();
        assertThat(again.get("counts").get("succeeded").asInt() + again.get("counts").get("cancelled").asInt()).isEqualTo(2000);
        stack.assertCountersEqualItemRows(batch);
    }

    @Test
    void cancelWhileChunksAreInFlightGivesCountsThatAreFinalOnceTerminal() {
        // slow enough that the cancel always finds items not yet started (items of a chunk run side by side)
        String items = IntStream.range(0, 20_000).mapToObj(i -> "{\"key\":\"c" + i + "\",\"delayMs\":1000}")
                .collect(Collectors.joining(","));
        UUID batch = submit("{}", items);
        await().atMost(Duration.ofMinutes(1)).until(() -> stack.get("/api/batches/" + batch).body()
                .get("counts").get("succeeded").asInt() > 500);

        BatchlineStack.Answer cancel = stack.post("/api/batches/" + batch + "/cancel", "application/json", "");
        assertThat(cancel.status()).isEqualTo(202);

        // poll fast: the first terminal answer's counts must be the final ones
        JsonNode first = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                .until(() -> stack.get("/api/batches/" + batch).body(), view -> TERMINAL.contains(view.get("status").asString()));
        assertThat(first.get("status").asString()).isEqualTo("cancelled");
        JsonNode counts = first.get("counts");
        assertThat(counts.get("pending").asInt()).isZero();
        assertThat(counts.get("cancelled").asInt()).isPositive();
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(stack.get("/api/batches/" + batch).body().get("counts")).isEqualTo(counts));
        stack.assertCountersEqualItemRows(batch);
        assertThat(stack.queryInt("SELECT count(*) FROM batch_items WHERE batch_id = ? AND finished_at > "
                + "(SELECT completed_at FROM batches WHERE id = ?)", batch, batch))
                .as("no item ended after its batch did").isZero();
    }
}
