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
        // never more than the burst plus the sustained rate since the first item (half a second of slack)
        for (int i = 0; i < finishedMillis.size(); i++) {
            double elapsed = (finishedMillis.get(i) - start) / 1000.0;
            assertThat(i + 1.0).as("items finished after %.2f s", elapsed).isLessThanOrEqualTo(RATE + RATE * (elapsed + 0.5));
        }
        // and at least 80 % of the limit: the items after the burst took at most 1.25x their fair time
        double seconds = (finishedMillis.getLast() - start) / 1000.0;
        double sustained = (ITEMS - RATE) / seconds;
        assertThat(sustained).as("sustained items/s").isGreaterThanOrEqualTo(0.8 * RATE).isLessThanOrEqualTo(RATE * 1.1);
        assertThat(stack.workers()).allMatch(ServiceProcess::isAlive);
    }
}
