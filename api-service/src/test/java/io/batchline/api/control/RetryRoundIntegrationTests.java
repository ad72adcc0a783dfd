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
import org.springframework.amqp.core.Message;
import tools.jackson.databind.JsonNode;

class RetryRoundIntegrationTests extends RealServicesTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void retryRunsOnlyTheFailedItemsAgainAsANewRound() {
        UUID batch = submitLookups(3, "{\"maxAttempts\":2}");
        publishResults(ItemResult.succeeded(batch, 0, 0, 1, null),
                ItemResult.failed(batch, 1, 0, 2, new ItemError("user.not_found", "gone")),
                ItemResult.succeeded(batch, 2, 0, 1, null));
        await().atMost(WAIT).until(() -> batch(batch).get("status").asString().equals("completed"));
        rabbitAdmin.purgeQueue(Topology.itemQueue("user.lookup"), false);

        Answer retry = postJson("/api/batches/" + batch + "/retry", "");
        assertThat(retry.status()).isEqualTo(202);
        assertThat(retry.body().get("retriedItems").asInt()).isEqualTo(1);
        JsonNode view = batch(batch);
        assertThat(view.get("status").asString()).isEqualTo("processing");
        assertThat(view.get("counts").get("failed").asInt()).isZero();
        assertThat(view.get("counts").get("pending").asInt()).isEqualTo(1);

        // exactly the failed item is dispatched again, as its third attempt, in round 1
        Message message = await().atMost(WAIT).until(() -> rabbit.receive(Topology.itemQueue("user.lookup")), m -> m != null);
        var headers = message.getMessageProperties().getHeaders();
        assertThat(headers.get(Topology.HEADER_ITEM_SEQ)).isEqualTo(1);
        assertThat(headers.get(Topology.HEADER_ROUND)).isEqualTo(1);
        assertThat(headers.get(Topology.HEADER_ATTEMPT)).isEqualTo(3);
        assertThat(headers.get(Topology.HEADER_MAX_ATTEMPTS)).isEqualTo(4);

        // a late duplicate from round 0 changes nothing; the round-1 result completes the batch
        publishResults(ItemResult.failed(batch, 1, 0, 2, new ItemError("user.not_found", "stale")));
        publishResults(ItemResult.succeeded(batch, 1, 1, 3, null));
        await().atMost(WAIT).untilAsserted(() -> assertThat(batch(batch).get("status").asString()).isEqualTo("completed"));
        view = batch(batch);
        assertThat(view.get("counts").get("succeeded").asInt()).isEqualTo(3);
        assertThat(view.get("counts").get("failed").asInt()).isZero();
        assertCountersEqualItemRows(batch);
    }

    @Test
    void retryIsRefusedWithoutFailedItemsOrWhileRunning() {
        UUID running = submitLookups(2, "{}");
        Answer whileRunning = postJson("/api/batches/" + running + "/retry", "");
        assertThat(whileRunning.status()).isEqualTo(409);
        assertThat(whileRunning.body().get("detail").asString()).contains("still");

        UUID clean = submitLookups(1, "{}");
        publishResults(ItemResult.succeeded(clean, 0, 0, 1, null));
        await().atMost(WAIT).until(() -> batch(clean).get("status").asString().equals("completed"));
        Answer nothing = postJson("/api/batches/" + clean + "/retry", "");
        assertThat(nothing.status()).isEqualTo(409);
        assertThat(nothing.contentType()).startsWith("application/problem+json");
        assertThat(nothing.body().get("detail").asString()).contains("no failed items");
        assertThat(postJson("/api/batches/" + UUID.randomUUID() + "/retry", "").status()).isEqualTo(404);
    }
}
