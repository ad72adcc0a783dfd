package io.batchline.api.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemResult;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Signed completion callbacks to a local receiver (127.0.0.1 is on the test's allow-list). */
class CallbackIntegrationTests extends RealServicesTest {

    private record Received(String signature, byte[] body) {
    }

    private HttpServer receiver;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int status = failuresLeft.getAndDecrement() > 0 ? 503 : 204;
            if (status == 204) {
                received.add(new Received(exchange.getRequestHeaders().getFirst("X-Batch-Signature"), body));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private String hookUrl() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private UUID submitWithCallback(String key) {
        Answer answer = as(key, "POST", "/api/batches", "application/json",
                "{\"operation\":\"user.lookup\",\"options\":{\"callbackUrl\":\"" + hookUrl() + "\"},\"items\":[{\"email\":\"a@b.io\"}]}",
                Map.of());
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(202);
        return id(answer);
    }

    @Test
    void endedBatchIsPostedOnceWithAVerifiableSignature() {
        String tenant = "hooked-" + UUID.randomUUID().toString().substring(0, 8);
        UUID batch = submitWithCallback(createKey(tenant, "submitter"));
        publishResults(ItemResult.succeeded(batch, 0, 0, 1, null));

        await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 1);
        Received callback = received.getFirst();
        JsonNode body = json.readTree(callback.body());
        assertThat(body.get("batchId").asString()).isEqualTo(batch.toString());
        assertThat(body.get("status").asString()).isEqualTo("completed");
        assertThat(body.get("counts").get("succeeded").asInt()).isEqualTo(1);

        // the receiver's side of it: recompute the HMAC with the tenant's secret
        String secret = get("/api/admin/tenants/" + tenant).body().get("signingSecret").asString();
        String[] parts = callback.signature().split(",");
        long timestamp = Long.parseLong(parts[0].substring(2));
        assertThat(parts[1]).isEqualTo("v1=" + CallbackSender.sign(secret, timestamp, callback.body()));
        assertThat(Math.abs(System.currentTimeMillis() / 1000 - timestamp)).isLessThan(60);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode view = batch(batch);
            assertThat(view.has("callback")).as("%s", view).isTrue();
            JsonNode state = view.get("callback");
            assertThat(state.get("deliveredAt").isNull()).isFalse();
            assertThat(state.get("attempts").asInt()).isEqualTo(1);
            assertThat(state.get("lastStatus").asInt()).isEqualTo(204);
        });
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
    }

    @Test
    void receiverThatIsDownForAWhileStillGetsTheCallbackWithEveryAttemptVisible() {
        failuresLeft.set(3);
        UUID batch = submitWithCallback(ADMIN_KEY);
        postJson("/api/batches/" + batch + "/cancel", "");
        // the batch is stopping until a worker reports its published item (here: skipped)
        publishResults(ItemResult.stopped(batch, 0, 0, 1, io.batchline.model.status.ItemStatus.CANCELLED,
                new io.batchline.model.messaging.ItemError("batch.stopped", "cancelled")));

        await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 1);
        assertThat(json.readTree(received.getFirst().body()).get("status").asString()).isEqualTo("cancelled");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode view = batch(batch);
            assertThat(view.has("callback")).as("%s", view).isTrue();
            JsonNode state = view.get("callback");
            assertThat(state.get("attempts").asInt()).isEqualTo(4);
            assertThat(state.get("deliveredAt").isNull()).isFalse();
            assertThat(state.get("history").valueStream().map(a -> a.get("status").asInt())).containsExactly(204, 503, 503, 503);
        });
    }

    @Test
    void callbackUrlsToPrivateOrOddPlacesAreRefusedAtSubmission() {
        for (String url : List.of("http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data", "http://localhost:8080/x",
                "http://[::1]/x", "ftp://example.org/x", "http://user:pw@127.0.0.1/x", "not a url")) {
            Answer answer = postJson("/api/batches",
                    "{\"operation\":\"noop\",\"options\":{\"callbackUrl\":\"" + url + "\"},\"items\":[{}]}");
            assertThat(answer.status()).as(url).isEqualTo(400);
            assertThat(answer.body().get("detail").asString()).as(url).startsWith("options.callbackUrl");
        }
    }
}
