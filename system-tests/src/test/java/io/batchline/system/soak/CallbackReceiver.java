package io.batchline.system.soak;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The batches' {@code callbackUrl}: records every callback body it gets, per batch, in
 * arrival order. One in ten is answered 503 (seeded), so callback retries are exercised too;
 * only a callback answered 2xx counts as delivered.
 */
final class CallbackReceiver implements AutoCloseable {

    /** One callback as received. */
    record Callback(Instant at, int answered, String rawBody, JsonNode body) {

        boolean delivered() {
            return answered >= 200 && answered < 300;
        }
    }

    private final HttpServer server;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, List<Callback>> byBatch = new ConcurrentHashMap<>();
    private final Random random;
    private final EventLog log;

    CallbackReceiver(long seed, EventLog log) throws IOException {
        this.random = new Random(SoakSeeds.derive(seed, "callbacks"));
        this.log = log;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(Executors.newFixedThreadPool(4, Thread.ofPlatform().daemon().name("callback-receiver-", 0).factory()));
        server.createContext("/callback/", exchange -> {
            try (exchange) {
                String raw = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                JsonNode body;
                try {
                    body = json.readTree(raw);
                } catch (RuntimeException e) {
                    body = null;
                }
                String batchId = exchange.getRequestHeaders().getFirst("X-Batch-Id");
                if (batchId == null && body != null) {
                    batchId = body.path("batchId").asString("unknown");
                }
                int answer;
                synchronized (random) {
                    answer = random.nextInt(10) == 0 ? 503 : 204;
                }
                byBatch.computeIfAbsent(batchId == null ? "unknown" : batchId, b -> java.util.Collections.synchronizedList(new ArrayList<>()))
                        .add(new Callback(Instant.now(), answer, raw, body));
                log.log("CALLBACK", "batch " + batchId + " answered " + answer + ": " + raw);
                exchange.sendResponseHeaders(answer, -1);
            }
        });
        server.start();
    }

    String host() {
        return "127.0.0.1";
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Where batch callbacks go; batch n uses {@code <base>/<n>}. */
    String baseUrl() {
        return "http://" + host() + ":" + port() + "/callback";
    }

    /** Every callback received for a batch, in arrival order (a copy). */
    List<Callback> callbacks(String batchId) {
        List<Callback> list = byBatch.get(batchId);
        if (list == null) {
            return List.of();
        }
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
