package io.batchline.api.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class HealthIntegrationTests extends RealServicesTest {

    @Autowired
    HealthSettings settings;

    @Autowired
    BrokerResources broker;

    @Autowired
    io.batchline.api.submission.SubmissionLimits limits;

    /** Submits {@code items} user.lookup items as {@code key} (no worker consumes them here). */
    private UUID submit(String key, int items) {
        StringBuilder body = new StringBuilder("{\"operation\":\"user.lookup\",\"items\":[");
        for (int i = 0; i < items; i++) {
            body.append(i == 0 ? "" : ",").append("{\"email\":\"h").append(i).append("@x.io\"}");
        }
        Answer answer = as(key, "POST", "/api/batches", "application/json", body.append("]}").toString(), Map.of());
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(202);
        return id(answer);
    }

    private void awaitStatus(UUID batch, String status) {
        await().atMost(Duration.ofSeconds(20)).until(() -> status.equals(batch(batch).get("status").asString()));
    }

    @Test
    void aSubmitterSeesItsOwnTenantsCountsAndRatesButNotTheSharedResources() {
        String tenant = "health-" + UUID.randomUUID();
        String key = createKey(tenant, "submitter");
        UUID allGood = submit(key, 2);
        UUID oneFailed = submit(key, 2);
        UUID running = submit(key, 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT count(*) FROM batches WHERE creator = ? AND dispatched = total", tenant) == 3);
        publishResults(ItemResult.succeeded(allGood, 0, 0, 1, null), ItemResult.succeeded(allGood, 1, 0, 1, null),
                ItemResult.succeeded(oneFailed, 0, 0, 1, null),
                ItemResult.failed(oneFailed, 1, 0, 1, new ItemError("user.not_found", "no such user")));
        awaitStatus(allGood, "completed");
        awaitStatus(oneFailed, "completed");

        Answer answer = as(key, "GET", "/api/batches/health", null, null, Map.of());

        assertThat(answer.status()).isEqualTo(200);
        JsonNode health = answer.body();
        assertThat(health.get("status").asString()).isEqualTo("healthy");
        assertThat(health.get("scope").asString()).isEqualTo(tenant);
        JsonNode counts = health.get("batchOperations");
        assertThat(counts.get("total").asLong()).isEqualTo(3);
        assertThat(counts.get("completed").asLong()).isEqualTo(2);
        assertThat(counts.get("pending").asLong() + counts.get("processing").asLong()).isEqualTo(1);
        assertThat(counts.get("failed").asLong()).isZero();
        JsonNode performance = health.get("performance");
        assertThat(performance.get("window").asString()).isEqualTo(settings.window().toString());
        assertThat(performance.get("batchesEnded").asLong()).isEqualTo(2);
        assertThat(performance.get("failureRate").asDouble()).isEqualTo(0.25);
        assertThat(performance.get("successRate").asDouble()).isEqualTo(0.75);
        assertThat(performance.get("batchFailureRate").asDouble()).isZero();
        assertThat(performance.get("throughputItemsPerSecond").asDouble())
                .isEqualTo(4.0 / settings.window().toSeconds());
        long expectedMs = jdbc.sql("SELECT round(avg(extract(epoch FROM completed_at - created_at)) * 1000) FROM batches WHERE id IN (:ids)")
                .param("ids", List.of(allGood, oneFailed)).query(Long.class).single();
        assertThat(performance.get("avgProcessingTimeMs").asLong()).isCloseTo(expectedMs, org.assertj.core.data.Offset.offset(1L));
        assertThat(health.has("resources")).isFalse();
        assertThat(running).isNotNull();
    }

    @Test
    void anAdminSeesEveryTenantAndTheDatabaseAndBrokerResources() {
        UUID queued = submitLookups(3, "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT dispatched FROM batches WHERE id = ?", queued) == 3);
        broker.refresh();
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.last().itemQueues().stream()
                .anyMatch(q -> q.queue().equals(Topology.itemQueue("user.lookup")) && q.messages() >= 3));
        // past the answer cached for the admin scope by any earlier request
        await().pollDelay(settings.cacheFor()).atMost(settings.cacheFor().plusSeconds(5)).until(() -> true);

        JsonNode health = get("/api/batches/health").body();

        assertThat(health.get("status").asString()).isEqualTo("healthy");
        assertThat(health.get("scope").asString()).isEqualTo("all");
        assertThat(health.get("batchOperations").get("total").asLong())
                .isEqualTo(count("SELECT count(*) FROM batches"));
        JsonNode database = health.get("resources").get("database");
        assertThat(database.get("totalBytes").asLong()).isPositive();
        assertThat(database.get("tables").findValuesAsString("table")).containsExactlyElementsOf(HealthReport.BATCH_TABLES);
        JsonNode brokerPart = health.get("resources").get("broker");
        assertThat(brokerPart.get("status").asString()).isEqualTo("ok");
        assertThat(brokerPart.get("itemsQueued").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(brokerPart.get("itemQueues").findValuesAsString("queue")).contains(Topology.itemQueue("user.lookup"));
        assertThat(brokerPart.get("otherQueues").findValuesAsString("queue")).contains(Topology.RESULTS_QUEUE);
        // the API's own tracker consumes batch.results; no worker runs here
        assertThat(brokerPart.get("workerConsumers").asLong()).isZero();
    }

    @Test
    void aBrokerThatDoesNotAnswerMakesTheHealthDegradedNotAnError() {
        BrokerResources silent = new BrokerResources(rabbitAdmin, limits) {
            @Override
            Snapshot last() {
                return new Snapshot(java.time.Instant.now().minusSeconds(3600), List.of(), List.of(), "broker unreachable");
            }
        };
        HealthReport report = new HealthReport(jdbc, silent, settings);

        Map<String, Object> health = report.report(null);

        assertThat(health.get("status")).isEqualTo("degraded");
        Map<?, ?> resources = (Map<?, ?>) health.get("resources");
        assertThat(((Map<?, ?>) resources.get("broker")).get("status")).isEqualTo("unknown");
        assertThat(((Map<?, ?>) resources.get("database")).get("totalBytes")).isNotNull();
        assertThat(((Map<?, ?>) health.get("batchOperations")).get("total")).isNotNull();
    }

    @Test
    void healthNeedsAKey() {
        Answer answer = as(null, "GET", "/api/batches/health", null, null, Map.of());
        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.contentType()).startsWith("application/problem+json");
    }
}
