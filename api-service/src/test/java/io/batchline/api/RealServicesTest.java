package io.batchline.api;

import io.batchline.testing.TestServices;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Base of the API's integration tests: the whole application on a random port, against
 * this run's own RabbitMQ vhost and PostgreSQL database (Testcontainers where Docker runs,
 * the local services otherwise; see {@link TestServices}). The properties are fed in
 * dynamically rather than through {@code @ServiceConnection} because the local path has
 * no container to connect from.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "batch.security.bootstrap-admin-key=" + RealServicesTest.ADMIN_KEY,
        "management.server.port=0",
        "batch.secret-pepper=test-pepper-0123456789abcdef",
        "batch.max-items=200",
        "batch.max-item-bytes=2KB",
        "batch.max-body-bytes=64KB",
        "batch.outbound-allowed-hosts=127.0.0.1",
        "batch.callbacks.first-retry=200ms",
        "batch.callbacks.poll-interval=200ms",
        "batch.dispatch.recovery-interval=1s",
        // the dispatch window tests' tenant: its batches get windows of 20000 x 0.0025 = 50 items
        "batch.dispatch.tenant-weights=windowed=0.0025",
        // a fixed window (floor = ceiling): these tests count items exactly; BatchPaceTests covers the pace
        "batch.dispatch.min-window=20000",
        // one item per message: these tests take item messages off the queues and read them one
        // by one; ItemPackIntegrationTests and the system tests run with packs
        "batch.dispatch.pack=1"})
public abstract class RealServicesTest {

    /** The bootstrap admin key every test run registers; requests use it unless they say otherwise. */
    public static final String ADMIN_KEY = "bl_test_admin_key_0123456789abcdef";

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        TestServices.get().springProperties().forEach((key, value) -> registry.add(key, () -> value));
        // the diagnosis reads queue counts from the management API of this run's broker
        registry.add("batch.diagnosis.management-url", () -> TestServices.get().rabbit().managementUrl());
        workerCatalog();
    }

    private static volatile boolean catalogMigrated;

    /**
     * The workers' catalog schema (users, contents), as a worker creates it at start-up: the
     * API reads it for the user lookup, and these tests run no worker.
     */
    private static synchronized void workerCatalog() {
        if (catalogMigrated) {
            return;
        }
        TestServices.Postgres postgres = TestServices.get().postgres();
        org.flywaydb.core.Flyway.configure()
                .dataSource(postgres.jdbcUrl(), postgres.username(), postgres.password())
                .locations("filesystem:../worker-service/src/main/resources/db/catalog")
                .schemas("catalog", "worker")
                .table("flyway_catalog_history")
                .load()
                .migrate();
        catalogMigrated = true;
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcClient jdbc;

    @Autowired
    protected RabbitAdmin rabbitAdmin;

    protected final JsonMapper json = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();

    /** An answer: status, content type and body parsed as JSON (or null when empty). */
    public record Answer(int status, String contentType, JsonNode body, Map<String, java.util.List<String>> headers) {

        public String header(String name) {
            return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), java.util.List.of("")).getFirst();
        }
    }

    protected Answer post(String path, String contentType, String body) {
        return as(ADMIN_KEY, "POST", path, contentType, body, Map.of());
    }

    protected Answer postJson(String path, String body) {
        return post(path, "application/json", body);
    }

    protected Answer get(String path) {
        return as(ADMIN_KEY, "GET", path, null, null, Map.of());
    }

    /** A request with the given key (null: no Authorization header at all) and extra headers. */
    protected Answer as(String key, String method, String path, String contentType, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        headers.forEach(request::header);
        return send(request);
    }

    /** POSTs raw bytes, as the admin. */
    protected Answer postBytes(String path, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + ADMIN_KEY)
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** POSTs a body of unknown length (chunked transfer encoding), as the admin. */
    protected Answer sendStreamed(String path, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + ADMIN_KEY)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))));
    }

    /** Creates an API key through the admin API and returns it. */
    protected String createKey(String tenant, String role) {
        Answer answer = postJson("/api/admin/keys", "{\"tenant\":\"" + tenant + "\",\"role\":\"" + role + "\"}");
        if (answer.status() != 201) {
            throw new IllegalStateException("key not created: " + answer.body());
        }
        return answer.body().get("key").asString();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = response.body().isEmpty() ? null : json.readTree(response.body());
            return new Answer(response.statusCode(), response.headers().firstValue("content-type").orElse(""), body,
                    response.headers().map());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected int count(String sql, Object... params) {
        var spec = jdbc.sql(sql);
        for (Object param : params) {
            spec = spec.param(param);
        }
        return spec.query(Integer.class).single();
    }

    /** Ready messages in a queue right now. */
    protected long messagesIn(String queue) {
        var info = rabbitAdmin.getQueueInfo(queue);
        return info == null ? 0 : info.getMessageCount();
    }

    @Autowired
    protected org.springframework.amqp.rabbit.core.RabbitTemplate rabbit;

    /** Publishes results the way a worker does: one message holding several item results. */
    protected void publishResults(io.batchline.model.messaging.ItemResult... results) {
        org.springframework.amqp.core.MessageProperties properties = new org.springframework.amqp.core.MessageProperties();
        properties.setContentType("application/json");
        rabbit.send(io.batchline.model.messaging.Topology.RESULTS_EXCHANGE, io.batchline.model.messaging.Topology.RESULTS_ROUTING_KEY,
                new org.springframework.amqp.core.Message(json.writeValueAsBytes(
                        new io.batchline.model.messaging.ItemResults(java.util.List.of(results))), properties));
    }

    /** A batch of {@code items} user.lookup items: no worker consumes them in these tests. */
    protected UUID submitLookups(int items, String options) {
        StringBuilder body = new StringBuilder("{\"operation\":\"user.lookup\",\"options\":" + options + ",\"items\":[");
        for (int i = 0; i < items; i++) {
            body.append(i == 0 ? "" : ",").append("{\"email\":\"u").append(i).append("@x.io\"}");
        }
        Answer answer = postJson("/api/batches", body.append("]}").toString());
        if (answer.status() != 202) {
            throw new IllegalStateException("submission refused: " + answer.body());
        }
        return id(answer);
    }

    /**
     * Does to a message in {@code queue} what consumers that keep crashing on it would: takes
     * it and gives it back, until the quorum queue's delivery limit dead-letters it.
     */
    protected void rejectUntilDeadLettered(String queue, String deadQueue) {
        long deadBefore = messagesIn(deadQueue);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> {
            rabbit.execute(channel -> {
                var got = channel.basicGet(queue, false);
                if (got != null) {
                    channel.basicReject(got.getEnvelope().getDeliveryTag(), true);
                }
                return null;
            });
            return messagesIn(deadQueue) > deadBefore;
        });
    }

    protected JsonNode batch(UUID id) {
        return get("/api/batches/" + id).body();
    }

    /** The batch's counters equal count(*) of its item rows per status, and nothing is left pending if it ended. */
    protected void assertCountersEqualItemRows(UUID batch) {
        for (String status : java.util.List.of("succeeded", "failed", "cancelled", "timed_out")) {
            int counter = count("SELECT " + status + " FROM batches WHERE id = ?", batch);
            int rows = count("SELECT count(*) FROM batch_items WHERE batch_id = ? AND status = ?", batch, status);
            org.assertj.core.api.Assertions.assertThat(counter).as(status).isEqualTo(rows);
        }
    }

    protected static UUID id(Answer answer) {
        return UUID.fromString(answer.body().get("batchId").asString());
    }
}
