package io.batchline.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.testing.TestServices;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One global rate limit, honoured by three worker processes together. */
class RateLimitSystemTests {

    private static final int RATE = 300;
    private static final int ITEMS = 3_000;
    private static BatchlineStack stack;

    @BeforeAll
    static void startStack() {
        stack = new BatchlineStack(Map.of("WORKER_RATE_LIMITS", "noop=" + RATE + "/1s")).startApi();
        for (int i = 0; i < 3; i++) {
            stack.startWorker();
        }
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void threeWorkersTogetherStayWithinTheLimitAndUseMostOfIt() throws Exception {
        String items = IntStream.range(0, ITEMS).mapToObj(i -> "{\"n\":" + i + "}").collect(Collectors.joining(","));
        BatchlineStack.Answer answer = stack.post("/api/batches", "application/json", "{\"operation\":\"noop\",\"items\":[" + items + "]}");
        UUID batch = UUID.fromString(answer.body().get("batchId").asString());
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> stack.get("/api/batches/" + batch).body().get("status").asString().equals("completed"));

        List<Long> finishedMillis = new ArrayList<>();
        try (Connection connection = TestServices.get().openConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT (extract(epoch FROM finished_at) * 1000)::bigint FROM batch_items WHERE batch_id = ? ORDER BY finished_at")) {
            statement.setObject(1, batch);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    finishedMillis.add(rs.getLong(1));
                }
            }
        }
        assertThat(finishedMillis).hasSize(ITEMS);
        long start = finishedMillis.getFirst();
        // the limit held in every window, not only in those starting at the first item: a token bucket of
        // capacity RATE refilled at RATE/s lets at most RATE + RATE * w items through in any w seconds
        // (half a second of slack for the spread of a chunk's finish times)
        String worstWindow = null;
        double worstExcess = 0;
        for (int from = 0; from < finishedMillis.size(); from++) {
            for (int to = from + RATE; to < finishedMillis.size(); to++) {
                double window = (finishedMillis.get(to) - finishedMillis.get(from)) / 1000.0;
                double excess = (to - from + 1.0) - (RATE + RATE * (window + 0.5));
                if (excess > worstExcess) {
                    worstExcess = excess;
                    worstWindow = (to - from + 1) + " items finished within " + window + " s (items " + from + " to " + to + ")";
                }
            }
        }
        assertThat(worstWindow).as("a window above the limit").isNull();
        // and at least 80 % of the limit: the items after the burst took at most 1.25x their fair time
        double seconds = (finishedMillis.getLast() - start) / 1000.0;
        double sustained = (ITEMS - RATE) / seconds;
        assertThat(sustained).as("sustained items/s").isGreaterThanOrEqualTo(0.8 * RATE).isLessThanOrEqualTo(RATE * 1.1);

        // all three workers took part, each by its own Prometheus counter, and together they did every item once
        assertThat(stack.workers()).hasSize(3);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, Double> perWorker = new java.util.LinkedHashMap<>();
            for (ServiceProcess worker : stack.workers()) {
                perWorker.put(worker.toString(), stack.succeededItems(worker, "noop"));
            }
            assertThat(perWorker.values()).as("succeeded noop items per worker: %s", perWorker).allMatch(n -> n > 0);
            assertThat(perWorker.values().stream().mapToDouble(Double::doubleValue).sum())
                    .as("succeeded noop items per worker: %s", perWorker).isEqualTo((double) ITEMS);
        });
        assertThat(stack.workers()).allMatch(ServiceProcess::isAlive);
    }
}
