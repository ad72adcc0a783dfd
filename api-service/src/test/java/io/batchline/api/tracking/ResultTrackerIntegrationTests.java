package io.batchline.api.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.ItemResults;
import io.batchline.model.messaging.Topology;
import io.batchline.model.status.ItemStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.node.JsonNodeFactory;

/** Exactly-once counting although RabbitMQ delivers at least once. */
class ResultTrackerIntegrationTests extends RealServicesTest {


    private UUID submitNoop(int items) {
        StringBuilder body = new StringBuilder("{\"operation\":\"user.touch-login\",\"items\":[");
        for (int i = 0; i < items; i++) {
            body.append(i == 0 ? "" : ",").append("{\"userId\":\"").append(UUID.randomUUID()).append("\"}");
        }
        return id(postJson("/api/batches", body.append("]}").toString()));
    }


    private static ItemResult ok(UUID batch, int seq, int attempt) {
        return new ItemResult(batch, seq, 0, attempt, ItemStatus.SUCCEEDED, JsonNodeFactory.instance.objectNode().put("seq", seq),
                null, Instant.now());
    }

    private static ItemResult failed(UUID batch, int seq, int attempt) {
        return new ItemResult(batch, seq, 0, attempt, ItemStatus.FAILED, null, new ItemError("x.failed", "no luck"), Instant.now());
    }


    @Test
    void redeliveredResultIsCountedOnce() {
        UUID batch = submitNoop(3);
        publishResults(ok(batch, 0, 1), failed(batch, 1, 1));
        publishResults(ok(batch, 0, 1), failed(batch, 1, 1));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(count("SELECT succeeded + failed FROM batches WHERE id = ?", batch)).isEqualTo(2));
        publishResults(ok(batch, 2, 1), ok(batch, 2, 1));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(get("/api/batches/" + batch).body().get("status").asString()).isEqualTo("completed"));
        var view = get("/api/batches/" + batch).body();
        assertThat(view.get("counts").get("succeeded").asInt()).isEqualTo(2);
        assertThat(view.get("counts").get("failed").asInt()).isEqualTo(1);
        assertThat(view.get("counts").get("pending").asInt()).isZero();
        assertThat(view.get("completedAt").isNull()).isFalse();
        assertCountersEqualItemRows(batch);
    }

    @Test
    void itemHandledTwiceKeepsItsFirstTerminalResult() {
        UUID batch = submitNoop(2);
        publishResults(ok(batch, 0, 1));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(count("SELECT succeeded FROM batches WHERE id = ?", batch)).isEqualTo(1));

        // the broker redelivered item 0 (say its worker died before the ack) and it failed this time
        publishResults(failed(batch, 0, 2), ok(batch, 1, 1));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(count("SELECT succeeded + failed FROM batches WHERE id = ?", batch)).isEqualTo(2));
        var item = get("/api/batches/" + batch + "/items?limit=1").body().get("data").get(0);
        assertThat(item.get("status").asString()).isEqualTo("succeeded");
        assertThat(item.get("attempts").asInt()).isEqualTo(1);
        assertThat(item.get("result").get("seq").asInt()).isZero();
        assertThat(count("SELECT failed FROM batches WHERE id = ?", batch)).isZero();
        assertCountersEqualItemRows(batch);
    }

    @Test
    void unreadableResultIsDeadLetteredAndTheTrackerGoesOn() {
        long deadBefore = messagesIn(Topology.RESULTS_DEAD_QUEUE);
        rabbit.send(Topology.RESULTS_EXCHANGE, Topology.RESULTS_ROUTING_KEY, new Message("{not json".getBytes(), new MessageProperties()));
        UUID batch = submitNoop(1);
        publishResults(ok(batch, 0, 1));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(messagesIn(Topology.RESULTS_DEAD_QUEUE)).isEqualTo(deadBefore + 1);
            assertThat(get("/api/batches/" + batch).body().get("status").asString()).isEqualTo("completed");
        });
    }

    @Test
    void resultsForSeveralBatchesInOneChunkMoveEachBatchByItsOwnItems() {
        UUID first = submitNoop(2);
        UUID second = submitNoop(2);
        publishResults(ok(first, 0, 1), ok(second, 0, 1), failed(second, 1, 1), ok(first, 1, 1));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(count("SELECT succeeded FROM batches WHERE id = ?", first)).isEqualTo(2);
            assertThat(count("SELECT failed FROM batches WHERE id = ?", second)).isEqualTo(1);
        });
        assertCountersEqualItemRows(first);
        assertCountersEqualItemRows(second);
    }
}
