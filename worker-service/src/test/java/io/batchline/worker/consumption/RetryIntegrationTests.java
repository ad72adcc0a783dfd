package io.batchline.worker.consumption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.model.messaging.BatchStopped;
import io.batchline.model.messaging.ItemHeaders;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
import io.batchline.model.status.ItemStatus;
import io.batchline.worker.WorkerIntegrationTest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.amqp.core.MessageProperties;

class RetryIntegrationTests extends WorkerIntegrationTest {

    @Autowired
    MeterRegistry meters;

    @Test
    void retryableFailureWaitsInTheDelayTierAndSucceedsOnTheNextAttempt() {
        UUID batch = UUID.randomUUID();
        double firstTierBefore = retries("1s");
        long start = System.nanoTime();
        publishItem("noop", batch, 0, 1, 3, "{\"key\":\"flaky\",\"failAttempts\":1}");

        List<ItemResult> results = awaitResults(batch, 1);
        assertThat(results.getFirst().status()).isEqualTo(ItemStatus.SUCCEEDED);
        assertThat(results.getFirst().attempt()).isEqualTo(2);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Topology.RETRY_TIERS.getFirst().delay());
        // the workers dashboard's "Retries per delay tier": counted under the tier the item waited in
        assertThat(retries("1s") - firstTierBefore).isGreaterThanOrEqualTo(1.0);
    }

    private double retries(String tier) {
        Counter counter = meters.find("batchline.worker.retries").tags("operation", "noop", "tier", tier).counter();
        return counter == null ? 0 : counter.count();
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
        assertThat(dead.getMessageProperties().getMessageId()).isEqualTo(batch + ":0:2");
        assertThat(new String(dead.getBody())).contains("hopeless");
    }

    @Test
    void chunkThatOverrunsItsTimeLimitFailsRetryablyAndIsRetried() {
        UUID batch = UUID.randomUUID();
        long start = System.nanoTime();
        // the noop time limit is 1.5 s in these tests: both attempts overrun it
        publishItem("noop", batch, 0, 1, 2, "{\"key\":\"slow\",\"delayMs\":5000}");

        List<ItemResult> results = awaitResults(batch, 1);
        assertThat(results).hasSize(1);
        ItemResult result = results.getFirst();
        assertThat(result.status()).isEqualTo(ItemStatus.FAILED);
        assertThat(result.error().code()).isEqualTo("handler.timeout");
        assertThat(result.attempt()).as("the first overrun was retried, not reported").isEqualTo(2);
        assertThat(result.error().message()).contains("gave up after attempt 2");
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("two time limits and the first delay tier").isGreaterThanOrEqualTo(Duration.ofMillis(4000));
    }

    private void batchRow(UUID id, int round, String status, String stopStatus) {
        jdbc.sql("INSERT INTO batches (id, round, status, stop_status, status_reason) VALUES (?, ?, ?, ?, 'test stop')")
                .params(id, round, status, stopStatus).update();
    }

    @Test
    void itemsOfAStoppingRoundAreReportedWithTheStopsOutcomeInsteadOfRunning() {
        UUID cancelling = UUID.randomUUID();
        UUID timingOut = UUID.randomUUID();
        batchRow(cancelling, 0, "stopping", "cancelled");
        batchRow(timingOut, 0, "stopping", "timed_out");
        publishItem("noop", cancelling, 0, 1, "{\"delayMs\":60000}");
        publishItem("noop", timingOut, 0, 1, "{\"delayMs\":60000}");

        ItemResult cancelled = awaitResults(cancelling, 1).getFirst();
        assertThat(cancelled.status()).isEqualTo(ItemStatus.CANCELLED);
        assertThat(cancelled.error().code()).isEqualTo("batch.stopped");
        ItemResult timedOut = awaitResults(timingOut, 1).getFirst();
        assertThat(timedOut.status()).isEqualTo(ItemStatus.TIMED_OUT);
        assertThat(timedOut.error().code()).isEqualTo("batch.deadline");
    }

    @Test
    void stopBroadcastIsHeededBeforeTheDatabaseSaysSo() {
        UUID announced = UUID.randomUUID();
        batchRow(announced, 0, "processing", null);
        rabbit.send(Topology.CONTROL_EXCHANGE, "", new Message(
                json.writeValueAsBytes(new BatchStopped(announced, 0, "cancelled", "cancelled on request")), new MessageProperties()));
        await().atMost(Duration.ofSeconds(5)).until(() ->
                stoppedBatches.verdicts(List.of(announced)).get(announced).forRound(0) == StoppedBatches.Kind.STOPPING);
        publishItem("noop", announced, 0, 1, "{}");

        ItemResult result = awaitResults(announced, 1).getFirst();
        assertThat(result.status()).isEqualTo(ItemStatus.CANCELLED);
        assertThat(result.error().message()).isEqualTo("cancelled on request");
    }

    /** The first hole of issue 7: a stopped batch re-run with /retry never ended, its items were skipped. */
    @Test
    void aRetryRoundOfAStoppedBatchRunsAlthoughTheStopIsRemembered() {
        UUID batch = UUID.randomUUID();
        batchRow(batch, 0, "stopping", "failed");
        publishItem("noop", new ItemHeaders(batch, 0, 0, 1, 1, "noop"), "{}");
        assertThat(awaitResults(batch, 1).getFirst().status()).isEqualTo(ItemStatus.CANCELLED);

        // the batch ended failed and an explicit retry started round 1
        jdbc.sql("UPDATE batches SET round = 1, status = 'processing', stop_status = NULL WHERE id = ?").params(batch).update();
        publishItem("noop", new ItemHeaders(batch, 1, 1, 2, 2, "noop"), "{\"key\":\"again\"}");

        List<ItemResult> results = awaitResults(batch, 2);
        ItemResult rerun = results.get(1);
        assertThat(rerun.round()).isEqualTo(1);
        assertThat(rerun.status()).isEqualTo(ItemStatus.SUCCEEDED);
    }

    @Test
    void itemsOfAnEndedRoundAreDroppedWithoutAResult() {
        UUID ended = UUID.randomUUID();
        UUID running = UUID.randomUUID();
        batchRow(ended, 0, "cancelled", "cancelled");
        batchRow(running, 0, "processing", null);
        publishItem("noop", ended, 0, 1, "{}");
        publishItem("noop", running, 0, 1, "{}");
        awaitResults(running, 1);
        assertNoResults(ended, Duration.ofSeconds(2));
    }

    @org.springframework.beans.factory.annotation.Autowired
    StoppedBatches stoppedBatches;
}
