package io.batchline.worker.operations.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.status.ItemStatus;
import io.batchline.worker.WorkerIntegrationTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code http.call} against HTTP servers this test starts on random local ports (never an
 * outside address): answers, slow answers, 5xx bursts, 429 with Retry-After, connection
 * resets, 4xx, redirects, the allow-list, the per-host concurrency cap and the shared
 * per-host rate limit. The worker's settings are in {@link WorkerIntegrationTest}:
 * {@code localhost} (any port) and {@code 127.0.0.2} allowed, 127.0.0.2 limited to 4
 * requests per second, at most 3 requests per host at once, 1 s request timeout.
 */
class HttpCallIntegrationTests extends WorkerIntegrationTest {

    private static HttpServer server;
    private static ServerSocket resetter;
    private static final CountDownLatch NEVER = new CountDownLatch(1);
    /** Requests seen per path, and when (System.nanoTime) they arrived. */
    private static final Map<String, List<Long>> ARRIVALS = new ConcurrentHashMap<>();
    private static final AtomicInteger holding = new AtomicInteger();
    private static final AtomicInteger mostHeldAtOnce = new AtomicInteger();

    @BeforeAll
    static void startServers() throws IOException {
        server = HttpServer.create(new InetSocketAddress(0), 100);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", HttpCallIntegrationTests::answer);
        server.start();
        resetter = new ServerSocket(0);
        Thread.ofVirtual().start(HttpCallIntegrationTests::resetEveryConnection);
    }

    @AfterAll
    static void stopServers() throws IOException {
        NEVER.countDown();
        server.stop(0);
        resetter.close();
    }

    private static int port() {
        return server.getAddress().getPort();
    }

    private static String url(String path) {
        return "http://localhost:" + port() + path;
    }

    private static int seen(String path) {
        return ARRIVALS.getOrDefault(path, List.of()).size();
    }

    /** The test server: what it answers depends on the path. */
    private static void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        List<Long> arrivals = ARRIVALS.computeIfAbsent(path, p -> Collections.synchronizedList(new ArrayList<>()));
        arrivals.add(System.nanoTime());
        int count = arrivals.size();
        exchange.getRequestBody().readAllBytes();
        try {
            switch (path.replaceAll("/[0-9a-f-]{36}$", "")) {
                case "/echo" -> {
                    exchange.getResponseHeaders().add("X-Trace", "t-1");
                    exchange.getResponseHeaders().add("X-Secret", "not kept");
                    respond(exchange, 201, "application/json", "{\"method\":\"" + exchange.getRequestMethod() + "\",\"auth\":\""
                            + exchange.getRequestHeaders().getFirst("Authorization") + "\"}");
                }
                case "/big" -> respond(exchange, 200, "text/plain", "x".repeat(1000));
                // slower than the request timeout: the answer never comes in time
                case "/slow" -> {
                    NEVER.await(5, TimeUnit.SECONDS);
                    respond(exchange, 200, "text/plain", "too late");
                }
                case "/flaky" -> respond(exchange, count <= 2 ? 503 : 200, "text/plain", count <= 2 ? "overloaded" : "fine");
                case "/busy" -> {
                    if (count == 1) {
                        exchange.getResponseHeaders().add("Retry-After", "3");
                        respond(exchange, 429, "text/plain", "slow down");
                    } else {
                        respond(exchange, 200, "text/plain", "ok");
                    }
                }
                case "/missing" -> respond(exchange, 404, "text/plain", "no such thing");
                case "/redirect" -> {
                    exchange.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
                    respond(exchange, 302, "text/plain", "");
                }
                // a backend that takes its time, to see how many requests overlap
                case "/hold", "/rated" -> {
                    mostHeldAtOnce.accumulateAndGet(holding.incrementAndGet(), Math::max);
                    try {
                        NEVER.await(path.startsWith("/hold") ? 300 : 1, TimeUnit.MILLISECONDS);
                    } finally {
                        holding.decrementAndGet();
                    }
                    respond(exchange, 200, "text/plain", "held");
                }
                default -> respond(exchange, 500, "text/plain", "unknown path " + path);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Reads a request, then resets the connection (RST, not a clean close). */
    private static void resetEveryConnection() {
        while (!resetter.isClosed()) {
            try (Socket socket = resetter.accept()) {
                ARRIVALS.computeIfAbsent("reset", p -> Collections.synchronizedList(new ArrayList<>())).add(System.nanoTime());
                InputStream in = socket.getInputStream();
                in.read(new byte[4096]);
                socket.setSoLinger(true, 0);
            } catch (IOException e) {
                // the server socket was closed at the end of the tests, or the client went away
            }
        }
    }

    private String item(String method, String url) {
        return "{\"method\":\"" + method + "\",\"url\":\"" + url + "\"}";
    }

    private ItemResult callOnce(String body, int maxAttempts) {
        UUID batch = UUID.randomUUID();
        publishItem("http.call", batch, 0, 1, maxAttempts, body);
        return awaitResults(batch, 1).getFirst();
    }

    @Test
    void expectedAnswerSucceedsWithStatusSelectedHeadersAndBodyExcerpt() {
        ItemResult result = callOnce("""
                {"method":"POST","url":"%s","headers":{"Authorization":"Bearer t0k3n","Content-Type":"application/json"},
                 "body":"{\\"a\\":1}","expectStatus":201}""".formatted(url("/echo")), 3);
        assertThat(result.status()).isEqualTo(ItemStatus.SUCCEEDED);
        assertThat(result.result().get("status").asInt()).isEqualTo(201);
        assertThat(result.result().get("headers").propertyNames()).containsExactlyInAnyOrder("content-type", "x-trace");
        assertThat(result.result().get("body").asString()).isEqualTo("{\"method\":\"POST\",\"auth\":\"Bearer t0k3n\"}");
        assertThat(result.result().get("bodyTruncated").asBoolean()).isFalse();
        assertThat(result.result().get("durationMs").asLong()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void largeBodyIsCutToTheExcerptLimit() {
        ItemResult result = callOnce(item("GET", url("/big")), 1);
        assertThat(result.status()).isEqualTo(ItemStatus.SUCCEEDED);
        assertThat(result.result().get("body").asString()).hasSize(64);
        assertThat(result.result().get("bodyTruncated").asBoolean()).isTrue();
    }

    @Test
    void answerSlowerThanTheRequestTimeoutFailsRetryablyAsTimeout() {
        ItemResult result = callOnce(item("GET", url("/slow/" + UUID.randomUUID())), 1);
        assertThat(result.status()).isEqualTo(ItemStatus.FAILED);
        assertThat(result.error().code()).isEqualTo("http.timeout");
        assertThat(result.error().message()).contains("gave up after attempt 1");
    }

    @Test
    void burstOf5xxIsRetriedThroughTheDelayTiersUntilTheHostRecovers() {
        String path = "/flaky/" + UUID.randomUUID();
        ItemResult result = callOnce(item("GET", url(path)), 5);
        assertThat(result.status()).isEqualTo(ItemStatus.SUCCEEDED);
        assertThat(result.attempt()).isEqualTo(3);
        assertThat(seen(path)).isEqualTo(3);
        List<Long> at = ARRIVALS.get(path);
        // 1 s tier after the first 503, 5 s tier after the second
        assertThat(Duration.ofNanos(at.get(1) - at.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(Duration.ofNanos(at.get(2) - at.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(4900));
    }

    @Test
    void tooManyRequestsWaitsAtLeastRetryAfterBeforeTheNextAttempt() {
        String path = "/busy/" + UUID.randomUUID();
        ItemResult result = callOnce(item("GET", url(path)), 5);
        assertThat(result.status()).isEqualTo(ItemStatus.SUCCEEDED);
        assertThat(result.attempt()).isEqualTo(2);
        List<Long> at = ARRIVALS.get(path);
        // Retry-After: 3 on the first attempt picks the 5 s tier instead of the usual 1 s
        assertThat(Duration.ofNanos(at.get(1) - at.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(4900));
    }

    @Test
    void connectionResetFailsRetryably() {
        ItemResult result = callOnce(item("POST", "http://localhost:" + resetter.getLocalPort() + "/reset"), 2);
        assertThat(result.status()).isEqualTo(ItemStatus.FAILED);
        assertThat(result.error().code()).isEqualTo("http.connection");
        assertThat(result.attempt()).isEqualTo(2);
    }

    @Test
    void clientErrorFailsPermanentlyOnTheFirstAttempt() {
        ItemResult result = callOnce(item("DELETE", url("/missing")), 5);
        assertThat(result.status()).isEqualTo(ItemStatus.FAILED);
        assertThat(result.attempt()).isEqualTo(1);
        assertThat(result.error().code()).isEqualTo("http.status_4xx");
        assertThat(result.error().message()).contains("404").contains("no such thing");
    }

    @Test
    void redirectIsNotFollowedButReportedAsTheAnswer() {
        ItemResult unexpected = callOnce(item("GET", url("/redirect")), 5);
        assertThat(unexpected.status()).isEqualTo(ItemStatus.FAILED);
        assertThat(unexpected.error().code()).isEqualTo("http.unexpected_status");
        assertThat(unexpected.attempt()).isEqualTo(1);

        ItemResult expected = callOnce("{\"method\":\"GET\",\"url\":\"" + url("/redirect") + "\",\"expectStatus\":[301,302]}", 1);
        assertThat(expected.status()).isEqualTo(ItemStatus.SUCCEEDED);
        assertThat(expected.result().get("headers").get("location").asString()).isEqualTo("http://169.254.169.254/latest/meta-data/");
    }

    @Test
    void hostsOffTheAllowListAndUnlistedLoopbackAddressesAreRefusedWithoutARequest() {
        int before = seen("/echo");
        UUID batch = UUID.randomUUID();
        publishItem("http.call", batch, 0, 1, 5, item("GET", "http://127.0.0.1:" + port() + "/echo"));
        publishItem("http.call", batch, 1, 1, 5, item("GET", "http://example.invalid/echo"));
        publishItem("http.call", batch, 2, 1, 5, item("GET", "http://[::1]:" + port() + "/echo"));
        List<ItemResult> results = awaitResults(batch, 3);
        assertThat(results).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(ItemStatus.FAILED);
            assertThat(r.attempt()).isEqualTo(1);
            assertThat(r.error().code()).isEqualTo("http.host_not_allowed");
            assertThat(r.error().message()).contains("WORKER_HTTP_ALLOWED_HOSTS");
        });
        assertThat(seen("/echo")).isEqualTo(before);
    }

    @Test
    void neverMoreThanTheCapOfRequestsToOneHostAtOnce() {
        UUID batch = UUID.randomUUID();
        for (int seq = 0; seq < 12; seq++) {
            publishItem("http.call", batch, seq, 1, 1, item("GET", url("/hold/" + UUID.randomUUID())));
        }
        List<ItemResult> results = awaitResults(batch, 12);
        assertThat(results).extracting(ItemResult::status).containsOnly(ItemStatus.SUCCEEDED);
        assertThat(mostHeldAtOnce.get()).isEqualTo(3);
    }

    @Test
    void perHostRateLimitHoldsAcrossTheWholeBatch() {
        UUID batch = UUID.randomUUID();
        int n = 14;
        for (int seq = 0; seq < n; seq++) {
            publishItem("http.call", batch, seq, 1, 1, item("GET", "http://127.0.0.2:" + port() + "/rated/" + batch));
        }
        List<ItemResult> results = awaitResults(batch, n);
        assertThat(results).extracting(ItemResult::status).containsOnly(ItemStatus.SUCCEEDED);
        List<Long> at = new ArrayList<>(ARRIVALS.get("/rated/" + batch));
        Collections.sort(at);
        // 4 per second with a burst of 4: the limiter grants at most 4 + 4 in any second, and 14
        // requests need at least (14 - 4) / 4 = 2.5 s. The server sees arrivals, not grants: on a
        // loaded machine the first requests' connection set-up can delay them until later grants
        // catch up (CI saw 11 arrivals in one second), so a second may show up to 3 more.
        for (int i = 0; i < at.size(); i++) {
            long windowEnd = at.get(i) + TimeUnit.SECONDS.toNanos(1);
            long inWindow = at.stream().filter(t -> t < windowEnd).count() - i;
            assertThat(inWindow).as("requests in the second after request %d", i).isLessThanOrEqualTo(8 + 3);
        }
        assertThat(Duration.ofNanos(at.getLast() - at.getFirst())).isGreaterThanOrEqualTo(Duration.ofMillis(2400));
    }
}
