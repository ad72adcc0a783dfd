package io.batchline.cli.progress;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.batchline.cli.api.ApiClient;
import io.batchline.cli.config.Settings;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The follower against a local HTTP server that plays the API's progress stream and batch view. */
class BatchFollowerTests {

    private static final String ID = "01a20b9f-7c88-7eb1-a5fe-9addb07ede20";
    private final HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    BatchFollowerTests() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static String view(String status, int succeeded, int pending) {
        return "{\"batchId\":\"" + ID + "\",\"status\":\"" + status + "\",\"totalItems\":10,\"counts\":{\"pending\":" + pending
                + ",\"succeeded\":" + succeeded + ",\"failed\":0,\"cancelled\":0,\"timed_out\":0},\"percent\":" + (succeeded * 10) + "}";
    }

    private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private BatchSnapshot follow(boolean stream) {
        server.start();
        Settings settings = new Settings("http://127.0.0.1:" + server.getAddress().getPort(), "test", "bl_test", "test", "default");
        List<BatchSnapshot> shown = new CopyOnWriteArrayList<>();
        ProgressDisplay recorder = new ProgressDisplay() {
            @Override
            public void update(BatchSnapshot batch) {
                shown.add(batch);
            }

            @Override
            public void note(String message) {
            }

            @Override
            public void finish(BatchSnapshot batch) {
                shown.add(batch);
            }
        };
        BatchSnapshot end = new BatchFollower(new ApiClient(settings, null), recorder, Duration.ofMillis(20)).follow(ID, stream);
        assertThat(shown).isNotEmpty().last().isEqualTo(end);
        return end;
    }

    @Test
    void aBrokenStreamIsResumedWithTheLastEventId() {
        AtomicInteger connections = new AtomicInteger();
        server.createContext("/api/batches/" + ID + "/events", exchange -> {
            requests.add("events Last-Event-ID=" + exchange.getRequestHeaders().getFirst("Last-Event-ID"));
            if (connections.incrementAndGet() == 1) {
                // one event, then the connection drops without an end event
                answer(exchange, 200, "text/event-stream", "retry: 10\n\nid: 0.3.1\nevent: progress\ndata: " + view("processing", 3, 7) + "\n\n");
            } else {
                answer(exchange, 200, "text/event-stream", "id: 0.10.3\nevent: end\ndata: " + view("completed", 10, 0) + "\n\n");
            }
        });
        server.createContext("/api/batches/" + ID, exchange -> {
            requests.add("get");
            answer(exchange, 200, "application/json", view("processing", 5, 5));
        });

        BatchSnapshot end = follow(true);

        assertThat(end.status()).isEqualTo("completed");
        assertThat(end.succeeded()).isEqualTo(10);
        assertThat(requests).containsExactly("events Last-Event-ID=null", "get", "events Last-Event-ID=0.3.1");
    }

    @Test
    void aRefusedStreamFallsBackToPolling() {
        AtomicInteger polls = new AtomicInteger();
        server.createContext("/api/batches/" + ID + "/events", exchange -> {
            requests.add("events");
            exchange.getResponseHeaders().set("Retry-After", "3");
            answer(exchange, 429, "application/problem+json", "{\"type\":\"https://batchline.dev/problems/too-many-streams\",\"title\":\"Too many streams\",\"status\":429}");
        });
        server.createContext("/api/batches/" + ID, exchange -> {
            requests.add("get");
            int n = polls.incrementAndGet();
            answer(exchange, 200, "application/json", n < 3 ? view("processing", n, 10 - n) : view("completed", 10, 0));
        });

        BatchSnapshot end = follow(true);

        assertThat(end.status()).isEqualTo("completed");
        assertThat(requests).containsExactly("events", "get", "get", "get");
    }

    @Test
    void aStreamThatSays204AfterTheEndLeadsToTheFinalState() {
        AtomicInteger connections = new AtomicInteger();
        server.createContext("/api/batches/" + ID + "/events", exchange -> {
            requests.add("events");
            if (connections.incrementAndGet() == 1) {
                answer(exchange, 200, "text/event-stream", "retry: 10\n\nid: 0.9.1\nevent: progress\ndata: " + view("processing", 9, 1) + "\n\n");
            } else {
                answer(exchange, 204, "text/plain", "");
            }
        });
        AtomicInteger gets = new AtomicInteger();
        server.createContext("/api/batches/" + ID, exchange -> {
            requests.add("get");
            answer(exchange, 200, "application/json", gets.incrementAndGet() == 1 ? view("processing", 9, 1) : view("completed", 10, 0));
        });

        assertThat(follow(true).status()).isEqualTo("completed");
        assertThat(requests).containsExactly("events", "get", "events", "get");
    }
}
