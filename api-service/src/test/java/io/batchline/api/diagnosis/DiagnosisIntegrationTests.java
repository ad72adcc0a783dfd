package io.batchline.api.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import io.batchline.api.RealServicesTest;
import io.batchline.api.dispatch.ReconciliationSettings;
import io.batchline.model.messaging.ItemActivity;
import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
import io.batchline.testing.TestServices;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * "Why is it not finished?", each situation constructed for real: the tests play the
 * workers (activity notes, results, a consumer that holds a message), set rows with SQL,
 * and read the answer over HTTP, facts and sentence both.
 */
class DiagnosisIntegrationTests extends RealServicesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Autowired
    BatchFacts batchFacts;

    @Autowired
    ReconciliationSettings reconciliation;

    private UUID submit(String operation, String item, int items) {
        StringBuilder body = new StringBuilder("{\"operation\":\"" + operation + "\",\"items\":[");
        for (int i = 0; i < items; i++) {
            body.append(i == 0 ? "" : ",").append(item.replace("#", String.valueOf(i)));
        }
        Answer answer = postJson("/api/batches", body.append("]}").toString());
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(202);
        UUID batch = id(answer);
        await().atMost(WAIT).until(() -> batch(batch).get("dispatchedItems").asInt() == items);
        return batch;
    }

    private UUID submitNoop(int items) {
        return submit("noop", "{\"n\":#}", items);
    }

    private void note(ItemActivity.Kind kind, Instant at, List<ItemActivity.Item> items) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        rabbit.send(Topology.RESULTS_EXCHANGE, Topology.ACTIVITY_ROUTING_KEY,
                new Message(json.writeValueAsBytes(new ItemActivity(kind, "host-a/101", at, items)), properties));
    }

    private static List<ItemActivity.Item> retrying(UUID batch, String tier, Instant due, ItemError error, int... seqs) {
        return Arrays.stream(seqs).mapToObj(seq -> new ItemActivity.Item(batch, seq, 0, 1, error, tier, due)).toList();
    }

    private static List<ItemActivity.Item> items(UUID batch, int attempt, ItemError error, int... seqs) {
        return Arrays.stream(seqs).mapToObj(seq -> new ItemActivity.Item(batch, seq, 0, attempt, error)).toList();
    }

    private JsonNode diagnosis(UUID batch) {
        Answer answer = get("/api/batches/" + batch + "/diagnosis");
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(200);
        return answer.body();
    }

    private static JsonNode queue(JsonNode diagnosis, String name) {
        for (JsonNode queue : diagnosis.get("facts").get("queues")) {
            if (queue.get("queue").asString().equals(name)) {
                return queue;
            }
        }
        throw new AssertionError("no queue " + name + " in " + diagnosis);
    }

    @Test
    void aFinishedBatchSaysHowItEnded() {
        UUID batch = submitNoop(2);
        publishResults(ItemResult.succeeded(batch, 0, 0, 1, null),
                ItemResult.failed(batch, 1, 0, 1, new ItemError("noop.planned_failure", "failed on purpose")));
        await().atMost(WAIT).until(() -> batch(batch).get("status").asString().equals("completed"));

        JsonNode diagnosis = diagnosis(batch);
        assertThat(diagnosis.get("finished").asBoolean()).isTrue();
        assertThat(diagnosis.get("status").asString()).isEqualTo("completed");
        assertThat(diagnosis.get("summary").asString()).isEqualTo("Finished: the batch completed; 1 of 2 items succeeded and 1 failed.");
        assertThat(diagnosis.get("facts").get("counts").get("pending").asInt()).isZero();
        assertThat(diagnosis.get("facts").get("failed").get("items").asInt()).isEqualTo(1);
        assertThat(diagnosis.get("facts").get("failed").get("deadLetterQueue").asString()).isEqualTo("batch.dead.noop");
        assertThat(diagnosis.get("checkedAt").isNull()).isFalse();
    }

    @Test
    void itemsQueuedWithNoWorkerConsumingSaySo() {
        UUID batch = submitNoop(3);
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode diagnosis = diagnosis(batch);
            JsonNode work = queue(diagnosis, "batch.items.noop");
            assertThat(work.get("role").asString()).isEqualTo("work");
            assertThat(work.get("ready").asLong()).as("the broker samples queue counts every few seconds").isGreaterThanOrEqualTo(3);
            assertThat(work.get("unacked").asLong()).isZero();
            assertThat(work.get("consumers").asLong()).isZero();
            assertThat(diagnosis.get("facts").get("broker").get("status").asString()).isEqualTo("ok");
            assertThat(diagnosis.get("facts").get("broker").get("source").asString()).isEqualTo("management-api");
            assertThat(diagnosis.get("facts").get("notDispatched").asInt()).isZero();
            assertThat(diagnosis.get("finished").asBoolean()).isFalse();
            assertThat(diagnosis.get("summary").asString())
                    .startsWith("No worker is consuming batch.items.noop: 3 items of this batch wait there (the queue holds ");
        });
        JsonNode queues = diagnosis(batch).get("facts").get("queues");
        assertThat(queues.findValuesAsString("queue")).containsExactly("batch.items.noop", "batch.items.noop.isolation",
                "batch.retry.1s", "batch.retry.5s", "batch.retry.30s", "batch.retry.2m", "batch.dead.noop", "batch.results",
                "batch.dead.results", "batch.dead.recorder", "batch.dead.unrecorded");
    }

    @Test
    void itemsInARetryTierNameTheTierTheErrorAndTheNextAttemptUntilTheyRunAgain() {
        UUID batch = submitNoop(4);
        Instant due = Instant.now().plusSeconds(25).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        ItemError unavailable = new ItemError("http.503", "503 from the target");
        note(ItemActivity.Kind.RETRYING, Instant.now(), retrying(batch, "30s", due, unavailable, 0, 1));
        note(ItemActivity.Kind.RETRYING, Instant.now(), retrying(batch, "30s", due.plusSeconds(2),
                new ItemError("http.timeout", "no answer within 10s"), 2));

        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode diagnosis = diagnosis(batch);
            JsonNode tiers = diagnosis.get("facts").get("waitingForRetry");
            assertThat(tiers).hasSize(1);
            JsonNode tier = tiers.get(0);
            assertThat(tier.get("tier").asString()).isEqualTo("30s");
            assertThat(tier.get("queue").asString()).isEqualTo("batch.retry.30s");
            assertThat(tier.get("items").asInt()).isEqualTo(3);
            assertThat(tier.get("waiting").asInt()).isEqualTo(3);
            assertThat(Instant.parse(tier.get("nextDueAt").asString())).isEqualTo(due);
            assertThat(tier.get("topError").get("code").asString()).isEqualTo("http.503");
            assertThat(tier.get("topError").get("items").asInt()).isEqualTo(2);
            assertThat(diagnosis.get("summary").asString())
                    .matches("3 items wait in batch\\.retry\\.30s after 503 from the target; next attempt in about (1\\d|2\\d) s\\.");
        });

        // the next attempts start: the items left the tier
        note(ItemActivity.Kind.STARTED, Instant.now(), items(batch, 2, null, 0, 1, 2));
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode diagnosis = diagnosis(batch);
            assertThat(diagnosis.get("facts").get("waitingForRetry")).isEmpty();
            assertThat(diagnosis.get("facts").get("inFlight").get("count").asInt()).isEqualTo(3);
            // three run; the fourth is the one nothing can move: no worker consumes its queue
            assertThat(diagnosis.get("summary").asString()).startsWith("No worker is consuming batch.items.noop: 1 item of this batch waits there");
        });
        assertThat(count("SELECT count(*) FROM batch_items WHERE batch_id = ? AND (retry_tier IS NOT NULL OR retry_due_at IS NOT NULL)",
                batch)).isZero();
    }

    @Test
    void anItemRunningPastTheHandlerTimeoutAndACrashAreCounted() {
        UUID batch = submitNoop(3);
        note(ItemActivity.Kind.STARTED, Instant.now().minusSeconds(90), items(batch, 1, null, 0));
        note(ItemActivity.Kind.STARTED, Instant.now(), items(batch, 1, null, 1));
        // item 2's worker had announced it (only an announced item counts as crashed) and then died
        note(ItemActivity.Kind.STARTED, Instant.now(), items(batch, 1, null, 2));
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(diagnosis(batch).get("facts").get("inFlight").get("count").asInt()).isEqualTo(3));
        note(ItemActivity.Kind.CRASHED, Instant.now(), items(batch, 1,
                new ItemError(ItemActivity.CRASHED_CODE, "delivered again without a result"), 2));

        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode diagnosis = diagnosis(batch);
            JsonNode inFlight = diagnosis.get("facts").get("inFlight");
            assertThat(inFlight.get("count").asInt()).isEqualTo(2);
            assertThat(inFlight.get("pastHandlerTimeout").asInt()).isEqualTo(1);
            assertThat(inFlight.get("handlerTimeout").asString()).isEqualTo("PT30S");
            assertThat(inFlight.get("workers").get(0).asString()).isEqualTo("host-a/101");
            assertThat(Instant.parse(inFlight.get("oldestStartedAt").asString())).isBefore(Instant.now().minusSeconds(80));
            assertThat(diagnosis.get("facts").get("crashed").get("pending").asInt()).isEqualTo(1);
            assertThat(diagnosis.get("facts").get("crashed").get("everCrashed").asInt()).isEqualTo(1);
            assertThat(diagnosis.get("summary").asString())
                    .startsWith("1 item has been running longer than the handler timeout (about 30 s), the oldest for about ")
                    .endsWith(" on host-a/101: the worker may be stuck, or dead without its connection dropping yet.");
        });
    }

    @Test
    void aDispatcherHoldingTheLeaseIsNamedWhileItemsAreUnpublished() {
        UUID batch = submitNoop(3);
        // another instance owns the batch and has not published it yet (the recovery scan leaves a held lease alone)
        jdbc.sql("UPDATE batches SET dispatched = 0, dispatch_owner = 'api-elsewhere', dispatch_lease_until = now() + interval '1 hour'"
                + " WHERE id = :id").param("id", batch).update();

        JsonNode diagnosis = diagnosis(batch);
        assertThat(diagnosis.get("facts").get("notDispatched").asInt()).isEqualTo(3);
        JsonNode lease = diagnosis.get("facts").get("dispatchLease");
        assertThat(lease.get("owner").asString()).isEqualTo("api-elsewhere");
        assertThat(lease.get("held").asBoolean()).isTrue();
        assertThat(diagnosis.get("summary").asString()).isEqualTo("3 items are still being dispatched by api-elsewhere.");

        // the lease ran out long ago and nobody took it over: stalled, as the sentence says until a recovery scan resumes it
        jdbc.sql("UPDATE batches SET dispatch_lease_until = now() - interval '1 hour', last_progress_at = now() - interval '1 hour'"
                + " WHERE id = :id").param("id", batch).update();
        BatchFacts.Batch row = batchFacts.batch(batch).orElseThrow();
        Diagnosis.Facts facts = batchFacts.gather(batch, row);
        if (facts.notDispatched() > 0) { // else a recovery scan was quicker than this read: nothing stalled to see
            assertThat(facts.dispatchLease().held()).isFalse();
            assertThat(DiagnosisSentence.write("noop", row.status(), facts, row.checkedAt())).isEqualTo("Dispatch stalled: 3 items"
                    + " are not yet published and no dispatcher holds the lease; an API instance's recovery scan resumes it within seconds.");
        }
        await().atMost(WAIT).until(() -> diagnosis(batch).get("facts").get("notDispatched").asInt() == 0);
    }

    @Test
    void aStoppingBatchSaysWhatItWaitsFor() {
        UUID batch = submitNoop(3);
        assertThat(post("/api/batches/" + batch + "/cancel", null, null).status()).isEqualTo(202);

        JsonNode diagnosis = diagnosis(batch);
        assertThat(diagnosis.get("status").asString()).isEqualTo("stopping");
        JsonNode stop = diagnosis.get("facts").get("stop");
        assertThat(stop.get("stopping").asBoolean()).isTrue();
        assertThat(stop.get("stopStatus").asString()).isEqualTo("cancelled");
        assertThat(diagnosis.get("summary").asString()).startsWith("The batch is stopping and will end cancelled")
                .endsWith("3 items may still be queued, but no worker is consuming batch.items.noop to end them.");
    }

    @Test
    void aPassedDeadlineAndFailFastShowInTheStopFacts() {
        UUID batch = submit("noop", "{\"n\":#}", 2);
        jdbc.sql("UPDATE batches SET deadline = now() - interval '3 seconds', options = options || '{\"continueOnError\":false}'"
                + " WHERE id = :id").param("id", batch).update();
        JsonNode diagnosis = diagnosis(batch);
        JsonNode stop = diagnosis.get("facts").get("stop");
        if (diagnosis.get("status").asString().equals("processing")) { // else the deadline watch (every second) already stopped it
            assertThat(stop.get("deadlinePassed").asBoolean()).isTrue();
            assertThat(diagnosis.get("summary").asString()).startsWith("The deadline passed about ");
        }
        assertThat(stop.get("failFast").asBoolean()).isTrue();
        await().atMost(WAIT).untilAsserted(() -> assertThat(diagnosis(batch).get("summary").asString())
                .startsWith("The batch is stopping and will end timed_out"));
    }

    @Test
    void queuedItemsUnderARateLimitNameTheLimitWhileAWorkerHoldsOne() throws Exception {
        String operation = "content.update-price";
        UUID batch = submit(operation, "{\"contentId\":\"c-#\",\"newPrice\":1}", 3);
        assertThat(as(ADMIN_KEY, "PUT", "/api/admin/rate-limits/" + operation, "application/json",
                "{\"items\":5,\"period\":\"1s\"}", java.util.Map.of()).status()).isEqualTo(200);
        // a worker's consumer that took one message and waits (as for a token) before acking it
        com.rabbitmq.client.ConnectionFactory worker = new com.rabbitmq.client.ConnectionFactory();
        var broker = io.batchline.testing.TestServices.get().rabbit();
        worker.setHost(broker.host());
        worker.setPort(broker.port());
        worker.setUsername(broker.username());
        worker.setPassword(broker.password());
        worker.setVirtualHost(broker.vhost());
        try (com.rabbitmq.client.Connection connection = worker.newConnection()) {
            Channel channel = connection.createChannel();
            channel.basicQos(1);
            channel.basicConsume(Topology.itemQueue(operation), false, new DefaultConsumer(channel));
            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode diagnosis = diagnosis(batch);
                JsonNode work = queue(diagnosis, Topology.itemQueue(operation));
                assertThat(work.get("consumers").asLong()).isEqualTo(1);
                assertThat(work.get("unacked").asLong()).isEqualTo(1);
                assertThat(work.get("ready").asLong()).isGreaterThanOrEqualTo(2);
                JsonNode limit = diagnosis.get("facts").get("rateLimit");
                assertThat(limit.get("source").asString()).isEqualTo("override");
                assertThat(limit.get("itemsPerSecond").asDouble()).isEqualTo(5.0);
                assertThat(limit.get("waitMetric").asString())
                        .isEqualTo("batchline_worker_rate_limit_wait_seconds{operation=\"content.update-price\"}");
                assertThat(diagnosis.get("summary").asString()).startsWith("3 items wait in batch.items.content.update-price (the queue holds ")
                        .contains("under the global rate limit of 5 items/s for content.update-price (override)");
            });
        } finally {
            as(ADMIN_KEY, "DELETE", "/api/admin/rate-limits/" + operation, null, null, java.util.Map.of());
        }
    }

    @Test
    void aClusterNodeWhoseManagementApiIsDownIsPassedOverForTheNextOne() {
        submitNoop(1);
        // a cluster's node list, the first node down: the next one answers for every queue
        DiagnosisSettings cluster = new DiagnosisSettings(Duration.ofSeconds(30),
                "http://127.0.0.1:9, " + TestServices.get().rabbit().managementUrl() + "/", TestServices.get().rabbit().username(),
                TestServices.get().rabbit().password(), TestServices.get().rabbit().vhost(), Duration.ofSeconds(1));
        BrokerQueues.Reading reading = new BrokerQueues(cluster, rabbitAdmin, json).read(List.of(Topology.itemQueue("noop")));
        assertThat(reading.status()).isEqualTo("ok");
        assertThat(reading.source()).isEqualTo("management-api");
        assertThat(reading.queues().get("batch.items.noop").unacked()).isNotNull();
    }

    @Test
    void withoutTheManagementApiQueuesHaveNoUnackedCountAndWithoutTheBrokerTheDatabaseStillAnswers() {
        UUID batch = submitNoop(1);
        DiagnosisSettings noManagement = new DiagnosisSettings(Duration.ofSeconds(30), "http://127.0.0.1:9", "guest", "guest", "/",
                Duration.ofSeconds(1));
        BrokerQueues amqpOnly = new BrokerQueues(noManagement, rabbitAdmin, json);
        BrokerQueues.Reading partial = amqpOnly.read(List.of(Topology.itemQueue("noop")));
        assertThat(partial.status()).isEqualTo("partial");
        assertThat(partial.source()).isEqualTo("amqp");
        assertThat(partial.queues().get("batch.items.noop").unacked()).isNull();
        assertThat(partial.queues().get("batch.items.noop").consumers()).isZero();

        CachingConnectionFactory nowhere = new CachingConnectionFactory("127.0.0.1", 9);
        nowhere.setConnectionTimeout(1000);
        try {
            BatchFacts offline = new BatchFacts(jdbc, new BrokerQueues(noManagement, new RabbitAdmin(nowhere), json), noManagement,
                    reconciliation);
            BatchFacts.Batch row = offline.batch(batch).orElseThrow();
            Diagnosis.Facts facts = offline.gather(batch, row);
            assertThat(facts.broker().status()).isEqualTo("unknown");
            assertThat(facts.queues()).allSatisfy(q -> assertThat(q.ready()).isNull());
            assertThat(facts.counts().pending()).isEqualTo(1);
            assertThat(DiagnosisSentence.write("noop", row.status(), facts, row.checkedAt()))
                    .isEqualTo("1 item is pending and nothing is noted about it; the broker could not be read, so which queue holds"
                            + " it is unknown.");
        } finally {
            nowhere.destroy();
        }
    }

    @Test
    void anotherTenantsBatchIsNotFound() {
        UUID batch = submitNoop(1);
        String stranger = createKey("diagnosis-stranger", "submitter");
        assertThat(as(stranger, "GET", "/api/batches/" + batch + "/diagnosis", null, null, java.util.Map.of()).status()).isEqualTo(404);
        assertThat(get("/api/batches/" + UUID.randomUUID() + "/diagnosis").status()).isEqualTo(404);
        assertThat(get("/api/batches/not-a-uuid/diagnosis").status()).isEqualTo(400);
    }
}
