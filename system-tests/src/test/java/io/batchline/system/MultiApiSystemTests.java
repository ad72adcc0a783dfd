package io.batchline.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Two API processes on one database and broker, as {@code deploy/local/up.sh --apis 2} runs
 * them: one is killed (kill -9) in the middle of a batch it dispatches and tracks, and the other
 * carries on alone. Its dispatch lease runs out and the survivor resumes it, the survivor's
 * tracker takes the dead one's unacknowledged results, and the batch completes counted once,
 * with exactly one completion callback, although both instances ran the callback sender, the
 * deadline watch, the stuck-item sweep and retention all along.
 */
class MultiApiSystemTests {

    private static final int ITEMS = 20_000;
    private static final Duration BATCH_END = Duration.ofMinutes(4);

    private static BatchlineStack stack;
    private static HttpServer receiver;
    private static final List<String> callbacks = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void twoApisAndTwoWorkers() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            try (exchange) {
                callbacks.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(204, -1);
            }
        });
        receiver.start();
        stack = new BatchlineStack(Map.of(
                "BATCH_MAX_ITEMS", String.valueOf(ITEMS),
                "BATCH_DISPATCH_LEASE", "5s",
                "BATCH_DISPATCH_RECOVERY_INTERVAL", "1s",
                // both instances sweep every 2 s: were the sweep or retention not once-only, they would collide here
                "BATCH_RECONCILIATION_INTERVAL", "2s",
                "BATCH_RETENTION_INTERVAL", "2s",
                "BATCH_OUTBOUND_ALLOWED_HOSTS", "127.0.0.1",
                "BATCH_CALLBACK_FIRST_RETRY", "500ms")).startApi();
        stack.startAnotherApi();
        stack.startWorker();
        stack.startWorker();
    }

    @AfterAll
    static void stopAll() {
        if (stack != null) {
            stack.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void oneApiKilledMidBatchTheOtherFinishesItCountedOnceWithOneCallback() {
        ServiceProcess first = stack.api();
        ServiceProcess second = stack.otherApis().getFirst();
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        String items = IntStream.range(0, ITEMS).mapToObj(i -> "{\"n\":" + i + ",\"delayMs\":1}").collect(Collectors.joining(","));
        BatchlineStack.Answer accepted = stack.post("/api/batches", "application/json",
                "{\"operation\":\"noop\",\"options\":{\"callbackUrl\":\"" + hook + "\"},\"items\":[" + items + "]}");
        assertThat(accepted.status()).as("%s", accepted.body()).isEqualTo(202);
        UUID batch = UUID.fromString(accepted.body().get("batchId").asString());

        // ignoreExceptions: the machine's PostgreSQL is shared, and a poll may briefly find no free connection
        await().atMost(BATCH_END).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> stack.queryInt("SELECT succeeded FROM batches WHERE id = ?", batch) >= ITEMS / 10);
        assertThat(stack.queryInt("SELECT dispatched FROM batches WHERE id = ?", batch))
                .as("killed before dispatch ended (the window keeps most items back)").isLessThan(ITEMS);

        first.kill();
        stack.sendRequestsTo(second);

        JsonNode done = stack.awaitEnd(batch, BATCH_END);
        assertThat(done.get("status").asString()).isEqualTo("completed");
        assertThat(done.get("counts").get("succeeded").asInt()).isEqualTo(ITEMS);
        assertThat(done.get("dispatchedItems").asInt()).isEqualTo(ITEMS);
        stack.assertCountersEqualItemRows(batch);
        assertThat(stack.queryInt("SELECT count(*) FROM batch_items WHERE batch_id = ? AND status = 'succeeded'", batch))
                .isEqualTo(ITEMS);
        assertThat(stack.queryInt("SELECT reconciled_items FROM batches WHERE id = ?", batch))
                .as("nothing was lost, so the sweep found nothing").isZero();

        await().atMost(Duration.ofSeconds(30)).until(() -> callbacks.stream().anyMatch(body -> body.contains(batch.toString())));
        // both instances keep polling the outbox: a second delivery would show within a few polls
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
                .until(() -> callbacks.stream().filter(body -> body.contains(batch.toString())).count() == 1);
        assertThat(callbacks.stream().filter(body -> body.contains(batch.toString())).findFirst().orElseThrow())
                .contains("\"completed\"").contains("\"succeeded\":" + ITEMS);
        assertThat(stack.queryInt("SELECT attempts FROM callback_outbox WHERE batch_id = ?", batch)).isEqualTo(1);

        // nothing left behind in the broker for the dead instance
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (JsonNode queue : stack.queues()) {
                String name = queue.get("name").asString();
                if (name.startsWith("batch.items.") || name.equals("batch.results")) {
                    assertThat(queue.path("messages_ready").asInt(0) + queue.path("messages_unacknowledged").asInt(0))
                            .as("messages left in %s", name).isZero();
                }
            }
        });
    }
}
