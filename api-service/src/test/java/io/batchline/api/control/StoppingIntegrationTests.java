package io.batchline.api.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Cancel, fail-fast, the failure-rate breaker and deadlines: every way a batch is stopped. */
class StoppingIntegrationTests extends RealServicesTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static ItemResult ok(UUID batch, int seq) {
        return ItemResult.succeeded(batch, seq, 0, 1, null);
    }

    private static ItemResult failed(UUID batch, int seq) {
        return ItemResult.failed(batch, seq, 0, 1, new ItemError("x.failed", "no luck"));
    }

    @Test
    void cancelEndsPendingItemsCancelledWithExactCounts() {
        UUID batch = submitLookups(10, "{}");
        publishResults(ok(batch, 0), ok(batch, 1));
        await().atMost(WAIT).until(() -> batch(batch).get("counts").get("succeeded").asInt() == 2);

        Answer answer = postJson("/api/batches/" + batch + "/cancel", "");
        assertThat(answer.status()).isEqualTo(202);

        JsonNode view = batch(batch);
        assertThat(view.get("status").asString()).isEqualTo("cancelled");
        assertThat(view.get("statusReason").asString()).contains("cancelled");
        assertThat(view.get("counts").get("cancelled").asInt()).isEqualTo(8);
        assertThat(view.get("counts").get("pending").asInt()).isZero();
        assertThat(view.get("completedAt").isNull()).isFalse();
        JsonNode item = get("/api/batches/" + batch + "/items?status=cancelled&limit=1").body().get("data").get(0);
        assertThat(item.get("error").get("code").asString()).isEqualTo("batch.stopped");
        assertCountersEqualItemRows(batch);
    }

    @Test
    void itemThatWasRunningWhenCancelledIsRecordedAsItEnded() {
        UUID batch = submitLookups(3, "{}");
        postJson("/api/batches/" + batch + "/cancel", "");
        publishResults(ok(batch, 1));

        await().atMost(WAIT).untilAsserted(() -> assertThat(batch(batch).get("counts").get("succeeded").asInt()).isEqualTo(1));
        JsonNode view = batch(batch);
        assertThat(view.get("status").asString()).isEqualTo("cancelled");
        assertThat(view.get("counts").get("cancelled").asInt()).isEqualTo(2);
        assertCountersEqualItemRows(batch);
    }

    @Test
    void cancellingAnEndedOrUnknownBatchIsRefused() {
        UUID batch = submitLookups(1, "{}");
        assertThat(postJson("/api/batches/" + batch + "/cancel", "").status()).isEqualTo(202);
        Answer again = postJson("/api/batches/" + batch + "/cancel", "");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.contentType()).startsWith("application/problem+json");
        assertThat(again.body().get("detail").asString()).contains("cancelled");
        assertThat(postJson("/api/batches/" + UUID.randomUUID() + "/cancel", "").status()).isEqualTo(404);
    }

    @Test
    void firstPermanentFailureStopsAFailFastBatch() {
        UUID batch = submitLookups(5, "{\"continueOnError\":false}");
        publishResults(ok(batch, 0), failed(batch, 3));

        await().atMost(WAIT).untilAsserted(() -> assertThat(batch(batch).get("status").asString()).isEqualTo("failed"));
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
        assertThat(batch(batch).get("status").asString()).as("fewer than 5 items ended").isEqualTo("processing");

        publishResults(failed(batch, 3), ok(batch, 4));
        await().atMost(WAIT).untilAsserted(() -> assertThat(batch(batch).get("status").asString()).isEqualTo("failed"));
        JsonNode view = batch(batch);
        assertThat(view.get("statusReason").asString()).contains("failure-rate breaker").contains("2 of 5");
        assertThat(view.get("counts").get("cancelled").asInt()).isEqualTo(15);
        assertCountersEqualItemRows(batch);
    }

    @Test
    void deadlineTimesOutUnfinishedItems() {
        UUID batch = submitLookups(4, "{\"timeoutSeconds\":1}");
        publishResults(ok(batch, 0));

        await().atMost(WAIT).untilAsserted(() -> assertThat(batch(batch).get("status").asString()).isEqualTo("timed_out"));
        publishResults(ok(batch, 1));
        await().during(Duration.ofMillis(500)).atMost(WAIT).untilAsserted(() -> {
            JsonNode view = batch(batch);
            assertThat(view.get("counts").get("timed_out").asInt()).as("a late result does not revive a timed-out item").isEqualTo(3);
            assertThat(view.get("counts").get("succeeded").asInt()).isEqualTo(1);
        });
        assertCountersEqualItemRows(batch);
    }

    @Test
    void itemDeadLetteredByTheBrokerIsRecordedFailed() throws Exception {
        UUID batch = submitLookups(2, "{}");
        publishResults(ok(batch, 0));
        String isolation = Topology.isolationQueue("user.lookup");
        // a worker would move item 1 here after a crash; reject it as crashing consumers would
        await().atMost(WAIT).until(() -> messagesIn(Topology.itemQueue("user.lookup")) > 0);
        org.springframework.amqp.core.Message original = null;
        while (original == null || !batch.toString().equals(original.getMessageProperties().getHeaders().get(Topology.HEADER_BATCH_ID))
                || !Integer.valueOf(1).equals(original.getMessageProperties().getHeaders().get(Topology.HEADER_ITEM_SEQ))) {
            original = rabbit.receive(Topology.itemQueue("user.lookup"), 5000);
            assertThat(original).isNotNull();
        }
        long deadBefore = messagesIn(Topology.deadQueue("user.lookup"));
        rabbit.send("", isolation, original);
        // take it and give it back, again and again, until the queue's delivery limit dead-letters it
        await().atMost(WAIT).until(() -> {
            rabbit.execute(channel -> {
                var got = channel.basicGet(isolation, false);
                if (got != null) {
                    channel.basicReject(got.getEnvelope().getDeliveryTag(), true);
                }
                return null;
            });
            return messagesIn(Topology.deadQueue("user.lookup")) > deadBefore;
        });

        await().atMost(WAIT).untilAsserted(() -> assertThat(batch(batch).get("status").asString()).isEqualTo("completed"));
        JsonNode item = get("/api/batches/" + batch + "/items?status=failed").body().get("data").get(0);
        assertThat(item.get("seq").asInt()).isEqualTo(1);
        assertThat(item.get("error").get("code").asString()).isEqualTo("delivery_limit_exceeded");
        assertThat(messagesIn(Topology.deadQueue("user.lookup"))).isPositive();
        assertCountersEqualItemRows(batch);
    }
}
