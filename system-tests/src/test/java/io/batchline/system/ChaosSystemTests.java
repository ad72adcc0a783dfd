package io.batchline.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.testing.TestServices;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Whatever fails in the middle of a batch (a worker process, the broker, the database, the
 * API during dispatch, an item that kills its worker), every accepted item ends in exactly
 * one terminal state, counted once. The services run as separate processes; a supervisor
 * restarts dead workers as compose's restart policy would.
 */
class ChaosSystemTests {

    private static final Duration BATCH_END = Duration.ofMinutes(3);
    private static BatchlineStack stack;

    @BeforeAll
    static void startStack() {
        stack = new BatchlineStack(Map.of(
                "BATCH_MAX_ITEMS", "50000",
                "BATCH_TEST_OPERATIONS", "true",
                "WORKER_TEST_OPERATIONS", "true",
                "BATCH_DISPATCH_LEASE", "5s",
                "BATCH_DISPATCH_RECOVERY_INTERVAL", "1s",
                "BATCH_OUTBOUND_ALLOWED_HOSTS", "127.0.0.1",
                "BATCH_CALLBACK_FIRST_RETRY", "500ms")).startApi();
        stack.startWorker();
        stack.startWorker();
        stack.superviseWorkers();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @AfterEach
    void servicesAreBack() {
        stack.awaitAllHealthy();
    }


    private static String noopItems(int n, int delayMs) {
        return IntStream.range(0, n).mapToObj(i -> "{\"n\":" + i + ",\"delayMs\":" + delayMs + "}").collect(Collectors.joining(","));
    }

    private static int succeeded(UUID batch) {
        return stack.queryInt("SELECT succeeded FROM batches WHERE id = ?", batch);
    }

    private static JsonNode awaitEnd(UUID batch) {
        return stack.awaitEnd(batch, BATCH_END);
    }

    /**
     * The checks every chaos test ends with: every item terminal, counters equal to count(*)
     * per status, no item both succeeded and dead-lettered, nothing left in flight.
     */
    private static void assertNothingLostOrCountedTwice(UUID batch, String operation) {
        stack.assertCountersEqualItemRows(batch);
        for (JsonNode dead : stack.peek("batch.dead." + operation, 1000)) {
            JsonNode headers = dead.get("properties").get("headers");
            if (batch.toString().equals(headers.path("x-batch-id").asString(""))) {
                for (int seq : BatchlineStack.itemSeqs(headers)) {
                    assertThat(stack.queryInt("SELECT count(*) FROM batch_items WHERE batch_id = ? AND seq = ? AND status = 'succeeded'",
                            batch, seq)).as("dead-lettered item %d also succeeded", seq).isZero();
                }
            }
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (JsonNode queue : stack.queues()) {
                String name = queue.get("name").asString();
                if (name.startsWith("batch.items.") || name.startsWith("batch.retry.") || name.equals("batch.results")) {
                    assertThat(queue.path("messages_ready").asInt(0) + queue.path("messages_unacknowledged").asInt(0))
                            .as("messages left in %s", name).isZero();
                }
            }
        });
    }

    @Test
    void workerKilledMidBatchLosesNothing() {
        UUID batch = stack.submit("noop", noopItems(20_000, 1));
        await().atMost(BATCH_END).until(() -> succeeded(batch) >= 3_000);

        stack.workers().getFirst().kill();

        JsonNode done = awaitEnd(batch);
        assertThat(done.get("status").asString()).isEqualTo("completed");
        assertThat(done.get("counts").get("succeeded").asInt()).isEqualTo(20_000);
        assertNothingLostOrCountedTwice(batch, "noop");
    }

    @Test
    void workerStoppedWithSigtermFinishesItsChunksAndLosesNothing() throws Exception {
        UUID batch = stack.submit("noop", noopItems(10_000, 5));
        await().atMost(BATCH_END).until(() -> succeeded(batch) >= 1_000);

        ServiceProcess worker = stack.workers().getLast();
        assertThat(worker.stop()).as("stopped within the grace period").isTrue();
        assertThat(java.nio.file.Files.readString(worker.log()))
                .as("no chunk was abandoned half-way").doesNotContain("could not be completed");

        JsonNode done = awaitEnd(batch);
        assertThat(done.get("status").asString()).isEqualTo("completed");
        assertThat(done.get("counts").get("succeeded").asInt()).isEqualTo(10_000);
        assertNothingLostOrCountedTwice(batch, "noop");
    }

    @Test
    void brokerRestartMidBatchLosesNothingAndSubmissionsGoOn() {
        UUID batch = stack.submit("noop", noopItems(10_000, 2));
        await().atMost(BATCH_END).until(() -> succeeded(batch) >= 1_000);

        TestServices.get().outages().stopBroker();
        UUID submittedWhileDown;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> stack.apiHealthStatus() == 503);
            // the batch is durable in PostgreSQL; it is dispatched once the broker is back
            submittedWhileDown = stack.submit("noop", noopItems(500, 0));
        } finally {
            TestServices.get().outages().startBroker();
        }

        JsonNode done = awaitEnd(batch);
        assertThat(done.get("status").asString()).isEqualTo("completed");
        assertThat(done.get("counts").get("succeeded").asInt()).isEqualTo(10_000);
        assertThat(awaitEnd(submittedWhileDown).get("counts").get("succeeded").asInt()).isEqualTo(500);
        assertNothingLostOrCountedTwice(batch, "noop");
        assertNothingLostOrCountedTwice(submittedWhileDown, "noop");
    }

    /**
     * How long the database stays away: longer than the results queue's redelivery budget
     * (delivery limit {@code 5}, each failed attempt costs the pool's 3 s connection timeout and
     * the tracker's 1 s pause, about 20 s), so a tracker that merely requeues results until
     * they are dead-lettered loses them; it must pause consuming and resume once the database
     * is back. Meanwhile the workers finish the batch, so its results pile up in the queue.
     */
    private static final Duration DATABASE_OUTAGE = Duration.ofSeconds(45);

    @Test
    void databaseOutageLongerThanTheRetryBudgetLosesNothingAndSubmissionsAreRefusedMeanwhile() {
        UUID batch = stack.submit("noop", noopItems(10_000, 2));
        await().atMost(BATCH_END).until(() -> succeeded(batch) >= 1_000);
        int deadResultsBefore = messagesIn("batch.dead.results");

        long stoppedAt = System.nanoTime();
        TestServices.get().outages().stopDatabase();
        try {
            BatchlineStack.Answer refused = await().atMost(Duration.ofSeconds(30)).until(
                    () -> stack.post("/api/batches", "application/json", "{\"operation\":\"noop\",\"items\":[{}]}"),
                    answer -> answer.status() == 503);
            assertThat(refused.body().get("type").asString()).endsWith("/unavailable");
            // for the rest of the outage every submission is refused the same way (never a 500, never accepted)
            Duration left = DATABASE_OUTAGE.minus(Duration.ofNanos(System.nanoTime() - stoppedAt));
            if (left.isPositive()) {
                await().during(left).atMost(left.plusSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(
                        () -> stack.post("/api/batches", "application/json", "{\"operation\":\"noop\",\"items\":[{}]}").status() == 503);
            }
        } finally {
            TestServices.get().outages().startDatabase();
        }

        JsonNode done = awaitEnd(batch);
        assertThat(done.get("status").asString()).isEqualTo("completed");
        assertThat(done.get("counts").get("succeeded").asInt()).isEqualTo(10_000);
        assertThat(done.get("counts").get("failed").asInt()).isZero();
        assertThat(stack.queryInt("SELECT count(*) FROM batch_items WHERE batch_id = ? AND status = 'succeeded'", batch))
                .isEqualTo(10_000);
        assertThat(messagesIn("batch.dead.results")).as("results dead-lettered during the outage").isEqualTo(deadResultsBefore);
        assertNothingLostOrCountedTwice(batch, "noop");
    }

    /** Ready plus unacknowledged messages in a queue of this run's vhost (0 if it does not exist). */
    private static int messagesIn(String queue) {
        for (JsonNode q : stack.queues()) {
            if (q.get("name").asString().equals(queue)) {
                return q.path("messages_ready").asInt(0) + q.path("messages_unacknowledged").asInt(0);
            }
        }
        return 0;
    }

    @Test
    void apiKilledDuringDispatchIsResumedByTheNextApiProcess() {
        UUID batch = stack.submit("noop", noopItems(40_000, 0));
        int dispatched = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> stack.queryInt("SELECT dispatched FROM batches WHERE id = ?", batch), n -> n > 0);
        assertThat(dispatched).as("killed before dispatch ended").isLessThan(40_000);

        stack.killAndRestartApi();

        JsonNode done = awaitEnd(batch);
        assertThat(done.get("status").asString()).isEqualTo("completed");
        assertThat(done.get("counts").get("succeeded").asInt()).isEqualTo(40_000);
        assertThat(done.get("dispatchedItems").asInt()).isEqualTo(40_000);
        assertNothingLostOrCountedTwice(batch, "noop");
    }

    @Test
    void callbackOfABatchThatEndedBeforeTheApiWasKilledIsSentByTheNextApiProcess() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean receiverUp = new java.util.concurrent.atomic.AtomicBoolean(false);
        List<String> delivered = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (receiverUp.get()) {
                delivered.add(new String(body, java.nio.charset.StandardCharsets.UTF_8));
            }
            exchange.sendResponseHeaders(receiverUp.get() ? 204 : 503, -1);
            exchange.close();
        });
        receiver.start();
        try {
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            BatchlineStack.Answer answer = stack.post("/api/batches", "application/json",
                    "{\"operation\":\"noop\",\"options\":{\"callbackUrl\":\"" + url + "\"},\"items\":[" + noopItems(50, 0) + "]}");
            UUID batch = UUID.fromString(answer.body().get("batchId").asString());
            assertThat(awaitEnd(batch).get("status").asString()).isEqualTo("completed");
            // the batch ended and its callback is owed, but the receiver is down
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> stack.get("/api/batches/" + batch).body().path("callback").path("attempts").asInt(0) >= 1);

            stack.killAndRestartApi();
            receiverUp.set(true);

            await().atMost(Duration.ofSeconds(60)).until(() -> delivered.size() == 1);
            assertThat(delivered.getFirst()).contains(batch.toString()).contains("\"completed\"");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(stack.get("/api/batches/" + batch).body().get("callback").get("deliveredAt").isNull()).isFalse());
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> delivered.size() == 1);
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void itemThatAlwaysCrashesItsWorkerEndsDeadLetteredAndFailedWhileTheRestCompletes() {
        String items = IntStream.range(0, 300)
                .mapToObj(i -> "{\"key\":\"k" + i + "\",\"crash\":" + (i == 150) + "}").collect(Collectors.joining(","));
        UUID batch = stack.submit("test.crash", items);

        JsonNode done = awaitEnd(batch);
        assertThat(done.get("status").asString()).isEqualTo("completed");
        assertThat(done.get("counts").get("succeeded").asInt()).isEqualTo(299);
        assertThat(done.get("counts").get("failed").asInt()).isEqualTo(1);
        JsonNode failed = stack.get("/api/batches/" + batch + "/items?status=failed").body().get("data").get(0);
        assertThat(failed.get("seq").asInt()).isEqualTo(150);
        assertThat(failed.get("error").get("code").asString()).isEqualTo("crashed");

        Set<Integer> deadSeqs = new HashSet<>();
        for (JsonNode dead : stack.peek("batch.dead.test.crash", 100)) {
            JsonNode headers = dead.get("properties").get("headers");
            if (batch.toString().equals(headers.path("x-batch-id").asString(""))) {
                deadSeqs.addAll(BatchlineStack.itemSeqs(headers));
            }
        }
        assertThat(deadSeqs).containsExactly(150);
        assertNothingLostOrCountedTwice(batch, "test.crash");
    }
}
