package io.batchline.api.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemHeaders;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
import io.batchline.model.status.ItemStatus;
import io.batchline.model.status.StopOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import tools.jackson.databind.JsonNode;

/**
 * Cancel, fail-fast, the failure-rate breaker and deadlines: every way a batch is stopped.
 * There are no workers here: the test plays them by publishing the results a worker would
 * (real outcomes, or the stop's outcome for items it skips).
 */
class StoppingIntegrationTests extends RealServicesTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static ItemResult ok(UUID batch, int seq) {
        return ItemResult.succeeded(batch, seq, 0, 1, null);
    }

    private static ItemResult failed(UUID batch, int seq) {
        return ItemResult.failed(batch, seq, 0, 1, new ItemError("x.failed", "no luck"));
    }

    /** What a worker reports for an item of a stopping batch it did not run. */
    private static ItemResult skipped(UUID batch, int seq, ItemStatus status) {
        String code = status == ItemStatus.TIMED_OUT ? StopOutcome.DEADLINE : StopOutcome.STOPPED;
        return ItemResult.stopped(batch, seq, 0, 1, status, new ItemError(code, "stopped"));
    }

    private void reportSkipped(UUID batch, ItemStatus status, int fromSeq, int toSeq) {
        publishResults(IntStream.range(fromSeq, toSeq).mapToObj(seq -> skipped(batch, seq, status)).toArray(ItemResult[]::new));
    }

    private String status(UUID batch) {
        return batch(batch).get("status").asString();
    }

    @Test
    void cancelStopsFirstAndEndsOnlyWhenEveryItemHasReported() {
        UUID batch = submitLookups(10, "{}");
        publishResults(ok(batch, 0), ok(batch, 1));
        await().atMost(WAIT).until(() -> batch(batch).get("counts").get("succeeded").asInt() == 2);

        Answer answer = postJson("/api/batches/" + batch + "/cancel", "");
        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.body().get("status").asString()).isEqualTo("stopping");

        JsonNode stopping = batch(batch);
        assertThat(stopping.get("status").asString()).isEqualTo("stopping");
        assertThat(stopping.get("statusReason").asString()).contains("cancelled");
        assertThat(stopping.get("completedAt").isNull()).isTrue();
        assertThat(stopping.get("counts").get("pending").asInt()).as("every item was published: workers report them").isEqualTo(8);

        // the workers skip what had not started; item 9 was already running and succeeds
        reportSkipped(batch, ItemStatus.CANCELLED, 2, 9);
        assertThat(status(batch)).isEqualTo("stopping");
        publishResults(ok(batch, 9));
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(batch)).isEqualTo("cancelled"));

        JsonNode view = batch(batch);
        assertThat(view.get("counts").get("succeeded").asInt()).isEqualTo(3);
        assertThat(view.get("counts").get("cancelled").asInt()).isEqualTo(7);
        assertThat(view.get("counts").get("pending").asInt()).isZero();
        assertThat(view.get("completedAt").isNull()).isFalse();
        JsonNode item = get("/api/batches/" + batch + "/items?status=cancelled&limit=1").body().get("data").get(0);
        assertThat(item.get("error").get("code").asString()).isEqualTo("batch.stopped");
        assertCountersEqualItemRows(batch);
    }

    @Test
    void countsOfATerminalBatchNeverChangeAgain() {
        UUID batch = submitLookups(4, "{}");
        postJson("/api/batches/" + batch + "/cancel", "");
        reportSkipped(batch, ItemStatus.CANCELLED, 0, 4);
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(batch)).isEqualTo("cancelled"));
        JsonNode ended = batch(batch).get("counts");

        // late real outcomes of the same items (a worker that had not heard of the stop)
        publishResults(ok(batch, 0), failed(batch, 1), ok(batch, 2));
        await().during(Duration.ofSeconds(1)).atMost(WAIT).untilAsserted(() -> {
            assertThat(batch(batch).get("counts")).isEqualTo(ended);
            assertThat(status(batch)).isEqualTo("cancelled");
        });
        assertCountersEqualItemRows(batch);
    }

    @Test
    void stopOutcomeIsRefusedForABatchThatIsNotStopping() {
        UUID batch = submitLookups(2, "{}");
        publishResults(skipped(batch, 0, ItemStatus.CANCELLED), ok(batch, 1));
        await().atMost(WAIT).until(() -> batch(batch).get("counts").get("succeeded").asInt() == 1);
        await().during(Duration.ofMillis(500)).atMost(WAIT).untilAsserted(() -> {
            assertThat(batch(batch).get("counts").get("cancelled").asInt()).isZero();
            assertThat(status(batch)).isEqualTo("processing");
        });
    }

    @Test
    void itemsNeverPublishedEndAtOnceAndTheMaybePublishedOnesArePublishedAgain() {
        UUID batch = submitLookups(10, "{}");
        publishResults(ok(batch, 0), ok(batch, 1), ok(batch, 2));
        await().atMost(WAIT).until(() -> batch(batch).get("counts").get("succeeded").asInt() == 3);
        drain(batch);
        // as if the dispatching instance died after confirming items 0-2 and publishing up to 4,
        // and the batch was cancelled before any instance resumed it (one statement, so the
        // recovery scan cannot resume it as a running batch in between)
        stopWithDeadDispatcher(batch, 3, 5);

        await().atMost(WAIT).untilAsserted(() -> assertThat(batch(batch).get("counts").get("cancelled").asInt()).isEqualTo(5));
        assertThat(status(batch)).as("items 3 and 4 may be in flight").isEqualTo("stopping");
        List<Integer> republished = drain(batch);
        assertThat(republished).containsExactly(3, 4);

        reportSkipped(batch, ItemStatus.CANCELLED, 3, 5);
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(batch)).isEqualTo("cancelled"));
        assertThat(batch(batch).get("counts").get("cancelled").asInt()).isEqualTo(7);
        assertCountersEqualItemRows(batch);
    }

    @Test
    void stoppingBatchWhoseItemsWereAllUnpublishedEndsAtOnce() {
        UUID batch = submitLookups(6, "{}");
        drain(batch);
        stopWithDeadDispatcher(batch, 0, 0);
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(batch)).isEqualTo("cancelled"));
        assertThat(batch(batch).get("counts").get("cancelled").asInt()).isEqualTo(6);
        assertCountersEqualItemRows(batch);
    }

    @Test
    void cancellingAStoppingEndedOrUnknownBatchIsRefused() {
        UUID batch = submitLookups(1, "{}");
        // once published the item may be in flight, so the stop must wait for its report;
        // cancelled before that, the dispatcher would end it at once (and the batch with it)
        await().atMost(WAIT).untilAsserted(() -> assertThat(batch(batch).get("dispatchedItems").asInt()).isEqualTo(1));
        assertThat(postJson("/api/batches/" + batch + "/cancel", "").status()).isEqualTo(202);
        Answer again = postJson("/api/batches/" + batch + "/cancel", "");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.contentType()).startsWith("application/problem+json");
        assertThat(again.body().get("type").asString()).endsWith("batch-stopping");

        reportSkipped(batch, ItemStatus.CANCELLED, 0, 1);
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(batch)).isEqualTo("cancelled"));
        Answer ended = postJson("/api/batches/" + batch + "/cancel", "");
        assertThat(ended.status()).isEqualTo(409);
        assertThat(ended.body().get("detail").asString()).contains("cancelled");
        assertThat(postJson("/api/batches/" + UUID.randomUUID() + "/cancel", "").status()).isEqualTo(404);
    }

    @Test
    void firstPermanentFailureStopsAFailFastBatch() {
        UUID batch = submitLookups(5, "{\"continueOnError\":false}");
        publishResults(ok(batch, 0), failed(batch, 3));

        await().atMost(WAIT).untilAsserted(() -> assertThat(status(batch)).isEqualTo("stopping"));
        assertThat(batch(batch).get("statusReason").asString()).contains("fail-fast");
        reportSkipped(batch, ItemStatus.CANCELLED, 1, 3);
        reportSkipped(batch, ItemStatus.CANCELLED, 4, 5);

        await().atMost(WAIT).untilAsserted(() -> assertThat(status(batch)).isEqualTo("failed"));
        JsonNode view = batch(batch);
        assertThat(view.get("statusReason").asString()).contains("fail-fast");
        assertThat(view.get("counts").get("succeeded").asInt()).isEqualTo(1);
        assertThat(view.get("counts").get("failed").asInt()).isEqualTo(1);
        assertThat(view.get("counts").get("cancelled").asInt()).isEqualTo(3);
        assertCountersEqualItemRows(batch);
    }

    @Test
    void failureRateBreakerTripsOnceEnoughItemsEnded() {
        UUID batch = submitLookups(20, "{\"maxFailureRate\":0.2,\"minItemsBeforeBreaker\":5}");
        publishResults(ok(batch, 0), failed(batch, 1), ok(batch, 2));
        await().atMost(WAIT).until(() -> batch(batch).get("counts").get("failed").asInt() == 1);
        assertThat(status(batch)).as("fewer than 5 items ended").isEqualTo("processing");

        publishResults(failed(batch, 3), ok(batch, 4));
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(batch)).isEqualTo("stopping"));
        reportSkipped(batch, ItemStatus.CANCELLED, 5, 20);
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(batch)).isEqualTo("failed"));
        JsonNode view = batch(batch);
        assertThat(view.get("statusReason").asString()).contains("failure-rate breaker").contains("2 of 5");
        assertThat(view.get("counts").get("cancelled").asInt()).isEqualTo(15);
        assertCountersEqualItemRows(batch);
    }

    @Test
    void deadlineTimesOutTheItemsThatHadNotStarted() {
        UUID batch = submitLookups(4, "{\"timeoutSeconds\":1}");
        publishResults(ok(batch, 0));

        await().atMost(WAIT).untilAsserted(() -> assertThat(status(batch)).isEqualTo("stopping"));
        // item 1 was running when the deadline passed: its real outcome counts
        publishResults(ok(batch, 1));
        reportSkipped(batch, ItemStatus.TIMED_OUT, 2, 4);
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(batch)).isEqualTo("timed_out"));
        JsonNode view = batch(batch);
        assertThat(view.get("counts").get("timed_out").asInt()).isEqualTo(2);
        assertThat(view.get("counts").get("succeeded").asInt()).isEqualTo(2);
        assertCountersEqualItemRows(batch);
    }

    @Test
    void retryAfterAStopRunsTheFailedItemsAsANewRoundToTheEnd() {
        UUID batch = submitLookups(3, "{\"continueOnError\":false}");
        publishResults(failed(batch, 0));
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(batch)).isEqualTo("stopping"));
        reportSkipped(batch, ItemStatus.CANCELLED, 1, 3);
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(batch)).isEqualTo("failed"));
        drain(batch);

        Answer retry = postJson("/api/batches/" + batch + "/retry", "");
        assertThat(retry.status()).isEqualTo(202);
        assertThat(retry.body().get("retriedItems").asInt()).isEqualTo(1);
        // the item is published again, in round 1
        List<Message> again = await().atMost(WAIT).until(() -> drainMessages(batch), list -> !list.isEmpty());
        ItemHeaders item = ItemHeaders.read(again.getFirst().getMessageProperties().getHeaders()).orElseThrow();
        assertThat(item.round()).isEqualTo(1);
        assertThat(item.seq()).isZero();

        publishResults(ItemResult.succeeded(batch, 0, 1, item.attempt(), null));
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(batch)).isEqualTo("completed"));
        assertThat(batch(batch).get("counts").get("succeeded").asInt()).isEqualTo(1);
        assertThat(batch(batch).get("counts").get("cancelled").asInt()).isEqualTo(2);
        assertCountersEqualItemRows(batch);
    }

    @Test
    void itemDeadLetteredByTheBrokerIsRecordedFailed() throws Exception {
        UUID batch = submitLookups(2, "{}");
        publishResults(ok(batch, 0));
        String isolation = Topology.isolationQueue("user.lookup");
        // a worker would move item 1 here after a crash; reject it as crashing consumers would
        await().atMost(WAIT).until(() -> messagesIn(Topology.itemQueue("user.lookup")) > 0);
        Message original = null;
        while (original == null || !batch.toString().equals(original.getMessageProperties().getHeaders().get(Topology.HEADER_BATCH_ID))
                || !Integer.valueOf(1).equals(original.getMessageProperties().getHeaders().get(Topology.HEADER_ITEM_SEQ))) {
            original = rabbit.receive(Topology.itemQueue("user.lookup"), 5000);
            assertThat(original).isNotNull();
        }
        rabbit.send("", isolation, original);
        rejectUntilDeadLettered(isolation, Topology.deadQueue("user.lookup"));

        await().atMost(WAIT).untilAsserted(() -> assertThat(status(batch)).isEqualTo("completed"));
        JsonNode item = get("/api/batches/" + batch + "/items?status=failed").body().get("data").get(0);
        assertThat(item.get("seq").asInt()).isEqualTo(1);
        assertThat(item.get("error").get("code").asString()).isEqualTo("crashed");
        assertThat(messagesIn(Topology.deadQueue("user.lookup"))).isPositive();
        assertCountersEqualItemRows(batch);
    }

    private void stopWithDeadDispatcher(UUID batch, int dispatched, int publishedBelow) {
        jdbc.sql("""
                UPDATE batches SET dispatched = :dispatched, published_below = :below, dispatch_owner = 'dead',
                       dispatch_lease_until = now() - interval '1 second',
                       status = 'stopping', stop_status = 'cancelled', status_reason = 'cancelled while no dispatcher ran'
                 WHERE id = :id""").param("dispatched", dispatched).param("below", publishedBelow).param("id", batch).update();
    }

    /** Takes this batch's item messages off the work queue (others are put back) and returns their seqs. */
    private List<Integer> drain(UUID batch) {
        await().atMost(WAIT).until(() -> batch(batch).get("dispatchedItems").asInt() == batch(batch).get("totalItems").asInt());
        return drainMessages(batch).stream()
                .map(m -> ((Number) m.getMessageProperties().getHeaders().get(Topology.HEADER_ITEM_SEQ)).intValue())
                .sorted().toList();
    }

    private List<Message> drainMessages(UUID batch) {
        List<Message> mine = new ArrayList<>();
        List<Message> others = new ArrayList<>();
        Message message;
        while ((message = rabbit.receive(Topology.itemQueue("user.lookup"), 200)) != null) {
            (batch.toString().equals(message.getMessageProperties().getHeaders().get(Topology.HEADER_BATCH_ID)) ? mine : others)
                    .add(message);
        }
        others.forEach(m -> rabbit.send(Topology.ITEMS_EXCHANGE, "user.lookup", m));
        return mine;
    }
}
