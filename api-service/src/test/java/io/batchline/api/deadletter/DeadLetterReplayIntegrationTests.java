package io.batchline.api.deadletter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.ItemResults;
import io.batchline.model.messaging.Topology;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;

class DeadLetterReplayIntegrationTests extends RealServicesTest {

    @Test
    void resultsParkedInTheDeadLettersAreCountedAndReplayedByAnAdmin() {
        // other tests park unreadable results here on purpose; this test needs the queue to itself
        rabbitAdmin.purgeQueue(Topology.RESULTS_DEAD_QUEUE, false);
        UUID batch = submitLookups(2, "{}");
        MessageProperties properties = new MessageProperties();
        properties.setContentType("application/json");
        byte[] body = json.writeValueAsBytes(new ItemResults(List.of(
                ItemResult.succeeded(batch, 0, 0, 1, null), ItemResult.succeeded(batch, 1, 0, 1, null))));
        rabbit.send("", Topology.RESULTS_DEAD_QUEUE, new Message(body, properties));
        await().atMost(Duration.ofSeconds(10)).until(() -> messagesIn(Topology.RESULTS_DEAD_QUEUE) >= 1);

        Answer counts = get("/api/admin/dead-letters");
        assertThat(counts.status()).isEqualTo(200);
        assertThat(counts.body().get("queues").get(Topology.RESULTS_DEAD_QUEUE).asLong()).isPositive();

        Answer replay = postJson("/api/admin/dead-letters/" + Topology.RESULTS_DEAD_QUEUE + "/replay", "");
        assertThat(replay.status()).isEqualTo(200);
        assertThat(replay.body().get("replayed").asInt()).isPositive();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(batch(batch).get("status").asString()).isEqualTo("completed"));
        assertThat(messagesIn(Topology.RESULTS_DEAD_QUEUE)).isZero();
        assertCountersEqualItemRows(batch);
    }

    @Test
    void onlyTheApisOwnDeadLettersAreReplayedAndOnlyByAdmins() {
        Answer itemQueue = postJson("/api/admin/dead-letters/" + Topology.deadQueue("noop") + "/replay", "");
        assertThat(itemQueue.status()).isEqualTo(400);
        assertThat(itemQueue.body().get("detail").asString()).contains("/retry");
        String submitter = createKey("dl-" + UUID.randomUUID().toString().substring(0, 8), "submitter");
        assertThat(as(submitter, "POST", "/api/admin/dead-letters/" + Topology.RESULTS_DEAD_QUEUE + "/replay", null, null, Map.of())
                .status()).isEqualTo(403);
        assertThat(postJson("/api/admin/dead-letters/" + Topology.RESULTS_DEAD_QUEUE + "/replay?limit=0", "").status()).isEqualTo(400);
    }
}
