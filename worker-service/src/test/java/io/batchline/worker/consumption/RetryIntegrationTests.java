package io.batchline.worker.consumption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.model.messaging.BatchStopped;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
import io.batchline.model.status.ItemStatus;
import io.batchline.worker.WorkerIntegrationTest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;

class RetryIntegrationTests extends WorkerIntegrationTest {

    @org.springframework.beans.factory.annotation.Autowired
    StoppedBatches stoppedBatches;

    /** The part of the API's batches table a worker reads: is a batch still running? */
    @BeforeAll
    static void batchesTable() throws Exception {
        try (var connection = io.batchline.testing.TestServices.get().openConnection();
             var statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS batches (id uuid PRIMARY KEY, status text NOT NULL)");
        }
    }

    @Test
    void retryableFailureWaitsInTheDelayTierAndSucceedsOnTheNextAttempt() {
        UUID batch = UUID.randomUUID();
        long start = System.nanoTime();
        publishItem("noop", batch, 0, 1, 3, "{\"key\":\"flaky\",\"failAttempts\":1}");

        List<ItemResult> results = awaitResults(batch, 1);
        assertThat(results.getFirst().status()).isEqualTo(ItemStatus.SUCCEEDED);
        assertThat(results.getFirst().attempt()).isEqualTo(2);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Topology.RETRY_TIERS.getFirst().delay());
    }

    @Test
    void lastAttemptFailsTheItemAndLeavesACopyInTheDeadLetters() {
        UUID batch = UUID.randomUUID();
        publishItem("noop", batch, 0, 1, 2, "{\"key\":\"hopeless\",\"failAttempts\":10}");

        ItemResult result = awaitResults(batch, 1).getFirst();
        assertThat(result.status()).isEqualTo(ItemStatus.FAILED);
        assertThat(result.attempt()).isEqualTo(2);
        assertThat(result.error().code()).isEqualTo("noop.planned_transient_failure");
        assertThat(result.error().message()).contains("gave up after attempt 2");

        Message dead = await().atMost(Duration.ofSeconds(10)).until(() -> {
            Message m;
            while ((m = rabbit.receive(Topology.deadQueue("noop"))) != null) {
                if (batch.toString().equals(m.getMessageProperties().getHeaders().get(Topology.HEADER_BATCH_ID))) {
                    return m;
                }
            }
            return null;
        }, m -> m != null);
        assertThat((String) dead.getMessageProperties().getHeaders().get(Topology.HEADER_LAST_ERROR))
                .startsWith("noop.planned_transient_failure");
        assertThat(new String(dead.getBody())).contains("hopeless");
    }

    @Test
    void chunkThatOverrunsItsTimeLimitFailsRetryably() {
        UUID batch = UUID.randomUUID();
        publishItem("noop", batch, 0, 1, 1, "{\"key\":\"slow\",\"delayMs\":5000}");

        ItemResult result = awaitResults(batch, 1).getFirst();
        assertThat(result.status()).isEqualTo(ItemStatus.FAILED);
        assertThat(result.error().code()).isEqualTo("handler.timeout");
    }

    @Test
    void itemsOfAStoppedBatchAreSkipped() {
        UUID stopped = UUID.randomUUID();
        UUID running = UUID.randomUUID();
        jdbc.sql("INSERT INTO batches (id, status) VALUES (?, 'cancelled'), (?, 'processing')").params(stopped, running).update();
        publishItem("noop", stopped, 0, 1, "{}");
        publishItem("noop", running, 0, 1, "{}");
        awaitResults(running, 1);

        UUID announced = UUID.randomUUID();
        MessageProperties properties = new MessageProperties();
        rabbit.send(Topology.CONTROL_EXCHANGE, "", new Message(json.writeValueAsBytes(new BatchStopped(announced, "cancelled")), properties));
        UUID later = UUID.randomUUID();
        await().atMost(Duration.ofSeconds(5)).until(() -> stoppedBatches.among(List.of(announced)).contains(announced));
        publishItem("noop", announced, 0, 1, "{}");
        publishItem("noop", later, 0, 1, "{}");
        awaitResults(later, 1);

        assertThat(awaitResults(stopped, 0)).isEmpty();
        assertThat(awaitResults(announced, 0)).as("stop broadcast on batch.control").isEmpty();
    }
}
