package io.batchline.api.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.status.ItemStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Progress streams read with a real HTTP client, line by line, while the batch moves (through
 * the tracker, or by plain SQL on the row: the streams read the database, not memory).
 */
@TestPropertySource(properties = {
        "batch.streams.per-tenant=3",
        "batch.streams.heartbeat=300ms",
        "batch.streams.idle-timeout=6s",
        "batch.streams.max-duration=10s",
        "batch.streams.retry=1500ms",
        // fewer request threads than the streams a test opens: a stream must not hold one
        "server.tomcat.threads.max=4",
        "server.tomcat.threads.min-spare=1"})
class ProgressStreamIntegrationTests extends RealServicesTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private String tenant;
    private String key;
    private final List<SseClient> clients = new ArrayList<>();

    @org.springframework.beans.factory.annotation.Autowired
    StreamHub hub;

    @BeforeEach
    void tenant() {
        tenant = "streams-" + UUID.randomUUID().toString().substring(0, 8);
        key = createKey(tenant, "submitter");
    }

    @org.junit.jupiter.api.AfterEach
    void closeClients() {
        clients.forEach(SseClient::close);
    }

    private SseClient open(String path, String key, String lastEventId) {
        SseClient client = SseClient.open(port, path, key, lastEventId);
        clients.add(client);
        return client;
    }

    /** Closes the client's connection and waits until the server noticed (at its next heartbeat) and freed the slot. */
    private void closeAndAwaitRelease(SseClient client) {
        int before = hub.openStreams(tenant);
        client.close();
        await().atMost(WAIT).until(() -> hub.openStreams(tenant) < before);
    }

    private SseClient stream(UUID batch, String lastEventId) {
        return open("/api/batches/" + batch + "/events", key, lastEventId);
    }

    private UUID submit(String key, int items) {
        StringBuilder body = new StringBuilder("{\"operation\":\"user.lookup\",\"items\":[");
        for (int i = 0; i < items; i++) {
            body.append(i == 0 ? "" : ",").append("{\"email\":\"u").append(i).append("@x.io\"}");
        }
        Answer answer = as(key, "POST", "/api/batches", "application/json", body.append("]}").toString(), Map.of());
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(202);
        return id(answer);
    }

    private static ItemResult ok(UUID batch, int seq) {
        return new ItemResult(batch, seq, 0, 1, ItemStatus.SUCCEEDED, JsonNodeFactory.instance.objectNode().put("seq", seq), null,
                Instant.now());
    }

    private void succeed(UUID batch, int fromSeq, int toSeq) {
        List<ItemResult> results = new ArrayList<>();
        for (int seq = fromSeq; seq < toSeq; seq++) {
            results.add(ok(batch, seq));
        }
        publishResults(results.toArray(ItemResult[]::new));
        await().atMost(WAIT).until(() -> count("SELECT succeeded FROM batches WHERE id = ?", batch) >= toSeq);
    }

    private JsonNode data(SseClient.Event event) {
        return json.readTree(event.data());
    }

    private static long[] order(String id) {
        String[] parts = id.split("\\.");
        return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2])};
    }

    private static void assertIncreasing(List<SseClient.Event> events) {
        for (int i = 1; i < events.size(); i++) {
            assertThat(java.util.Arrays.compare(order(events.get(i).id()), order(events.get(i - 1).id())))
                    .as("event ids %s then %s", events.get(i - 1).id(), events.get(i).id()).isPositive();
        }
    }

    private SseClient.Event nextEvent(SseClient client) {
        SseClient.Event event = client.next(WAIT);
        assertThat(event).as("an event within %s; lines so far %s", WAIT, client.lines).isNotNull();
        return event;
    }

    @Test
    void eventsFollowTheBatchToItsEndThenTheStreamCloses() {
        UUID batch = submit(key, 20);
        SseClient client = stream(batch, null);
        assertThat(client.status).isEqualTo(200);
        assertThat(client.header("content-type")).startsWith("text/event-stream");
        assertThat(client.header("cache-control")).contains("no-cache");

        SseClient.Event first = nextEvent(client);
        assertThat(first.name()).isEqualTo("progress");
        JsonNode view = data(first);
        assertThat(view.get("batchId").asString()).isEqualTo(batch.toString());
        assertThat(view.get("totalItems").asInt()).isEqualTo(20);
        assertThat(view.get("counts").get("pending").asInt()).isEqualTo(20);
        for (String field : List.of("percent", "itemsPerSecond", "etaSeconds", "crashedItems", "status", "links")) {
            assertThat(view.has(field)).as(field).isTrue();
        }

        succeed(batch, 0, 5);
        await().atMost(WAIT).until(() -> client.events.stream().anyMatch(e -> data(e).get("counts").get("succeeded").asInt() == 5));
        succeed(batch, 5, 20);

        await().atMost(WAIT).until(client::ended);
        List<SseClient.Event> events = List.copyOf(client.events);
        SseClient.Event last = events.getLast();
        assertThat(last.name()).isEqualTo("end");
        assertThat(data(last).get("status").asString()).isEqualTo("completed");
        assertThat(data(last).get("counts").get("succeeded").asInt()).isEqualTo(20);
        assertThat(data(last).get("percent").asDouble()).isEqualTo(100.0);
        assertThat(last.id()).isEqualTo("0.20.3");
        assertThat(events.subList(0, events.size() - 1)).allMatch(e -> e.name().equals("progress"));
        assertIncreasing(events);
        assertThat(client.retry()).isEqualTo("1500");
    }

    @Test
    void changesAreCoalescedToAFewEventsASecondAndReadFromTheDatabase() throws Exception {
        UUID batch = submit(key, 200);
        SseClient client = stream(batch, null);
        nextEvent(client);
        // 150 changes in about 3 s, made with plain SQL: nothing in this application knows of them
        AtomicInteger changes = new AtomicInteger();
        ScheduledExecutorService changer = Executors.newSingleThreadScheduledExecutor();
        long started = System.nanoTime();
        try {
            changer.scheduleAtFixedRate(() -> {
                if (changes.get() < 150) {
                    jdbc.sql("UPDATE batches SET succeeded = succeeded + 1 WHERE id = ?").param(batch).update();
                    changes.incrementAndGet();
                }
            }, 0, 20, TimeUnit.MILLISECONDS);
            await().atMost(WAIT).until(() -> changes.get() >= 150);
        } finally {
            changer.shutdownNow();
            changer.awaitTermination(5, TimeUnit.SECONDS);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        await().atMost(WAIT).until(() -> client.events.stream().anyMatch(e -> data(e).get("counts").get("succeeded").asInt() == 150));
        List<SseClient.Event> events = List.copyOf(client.events);
        int progressEvents = events.size() - 1;
        assertThat(progressEvents).as("events for 150 changes in %.1f s", seconds).isGreaterThanOrEqualTo(3)
                .isLessThanOrEqualTo((int) Math.ceil(seconds * 4) + 2);
        assertIncreasing(events);

        jdbc.sql("UPDATE batches SET succeeded = total, status = 'completed', completed_at = now() WHERE id = ?").param(batch).update();
        await().atMost(WAIT).until(client::ended);
        assertThat(client.events.getLast().name()).isEqualTo("end");
        assertThat(client.events.getLast().id()).isEqualTo("0.200.3");
    }

    @Test
    void lastEventIdResumesWithoutDuplicateOrGap() {
        UUID batch = submit(key, 10);
        // dispatched (processing) first, so the only changes are the ones this test makes
        await().atMost(WAIT).until(() -> !batch(batch).get("status").asString().equals("pending"));
        SseClient first = stream(batch, null);
        SseClient.Event seen = nextEvent(first);
        closeAndAwaitRelease(first);

        succeed(batch, 0, 4);
        SseClient resumed = stream(batch, seen.id());
        SseClient.Event caughtUp = nextEvent(resumed);
        assertThat(java.util.Arrays.compare(order(caughtUp.id()), order(seen.id()))).isPositive();
        assertThat(data(caughtUp).get("counts").get("succeeded").asInt()).as("the state now, not a gap").isEqualTo(4);
        closeAndAwaitRelease(resumed);

        // already up to date: nothing until something changes
        SseClient upToDate = stream(batch, caughtUp.id());
        assertThat(upToDate.next(Duration.ofMillis(1500))).as("no duplicate of %s", caughtUp.id()).isNull();
        assertThat(upToDate.comments).contains("heartbeat");
        succeed(batch, 4, 5);
        assertThat(data(nextEvent(upToDate)).get("counts").get("succeeded").asInt()).isEqualTo(5);
        closeAndAwaitRelease(upToDate);

        succeed(batch, 5, 10);
        await().atMost(WAIT).until(() -> batch(batch).get("status").asString().equals("completed"));
        // an ended batch: its end event at once, then the end of the stream
        SseClient late = stream(batch, caughtUp.id());
        SseClient.Event end = nextEvent(late);
        assertThat(end.name()).isEqualTo("end");
        await().atMost(WAIT).until(late::ended);
        // reconnecting after the end event: 204 tells EventSource to stop
        SseClient again = stream(batch, end.id());
        assertThat(again.status).isEqualTo(204);
    }

    @Test
    void heartbeatsKeepAQuietStreamOpen() {
        UUID batch = submit(key, 3);
        SseClient client = stream(batch, null);
        nextEvent(client);
        await().atMost(WAIT).until(() -> client.comments.stream().filter("heartbeat"::equals).count() >= 3);
        assertThat(client.ended()).isFalse();
    }

    @Test
    void quietStreamsAreClosedAndTheClientReconnects() {
        UUID batch = submit(key, 3);
        await().atMost(WAIT).until(() -> !batch(batch).get("status").asString().equals("pending"));
        SseClient client = stream(batch, null);
        SseClient.Event first = nextEvent(client);
        await().atMost(Duration.ofSeconds(15)).until(client::ended);
        assertThat(client.comments).anyMatch(c -> c.startsWith("closing"));
        assertThat(client.events).hasSize(1);
        SseClient again = stream(batch, first.id());
        assertThat(again.status).isEqualTo(200);
        assertThat(again.next(Duration.ofMillis(800))).isNull();
    }

    @Test
    void streamsPerTenantAreCappedAndAClosedOneFreesItsSlot() {
        UUID batch = submit(key, 3);
        List<SseClient> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SseClient client = i == 2 ? open("/api/batches/events", key, null) : stream(batch, null);
            assertThat(client.status).isEqualTo(200);
            open.add(client);
        }
        SseClient refused = stream(batch, null);
        assertThat(refused.status).isEqualTo(429);
        assertThat(refused.header("content-type")).startsWith("application/problem+json");
        assertThat(refused.header("retry-after")).isNotBlank();
        assertThat(json.readTree(refused.body()).get("type").asString()).endsWith("/too-many-streams");
        // another tenant is not affected
        String otherKey = createKey("other-" + UUID.randomUUID().toString().substring(0, 8), "submitter");
        assertThat(open("/api/batches/events", otherKey, null).status).isEqualTo(200);

        // the client goes away without a word: the next heartbeat's write fails and frees its slot
        open.getFirst().close();
        await().atMost(WAIT).untilAsserted(() -> {
            SseClient client = stream(batch, null);
            assertThat(client.status).isEqualTo(200);
        });
    }

    @Test
    void openStreamsHoldNoRequestThread() throws Exception {
        List<SseClient> streams = new ArrayList<>();
        for (int tenants = 0; tenants < 3; tenants++) {
            String tenantKey = tenants == 0 ? key : createKey("threads-" + UUID.randomUUID().toString().substring(0, 8), "submitter");
            UUID batch = submit(tenantKey, 2);
            for (int i = 0; i < 3; i++) {
                SseClient client = open("/api/batches/" + batch + "/events", tenantKey, null);
                assertThat(client.status).isEqualTo(200);
                streams.add(client);
            }
        }
        // nine streams open on a server with four request threads, and it still answers at once
        await().atMost(WAIT).until(() -> streams.stream().allMatch(c -> !c.events.isEmpty()));
        var answer = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/api/batches?limit=1"))
                        .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(5)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(streams).noneMatch(SseClient::ended);
    }

    @Test
    void anotherTenantsBatchIsNotFound() {
        UUID batch = submit(key, 1);
        String otherKey = createKey("other-" + UUID.randomUUID().toString().substring(0, 8), "submitter");
        SseClient refused = open("/api/batches/" + batch + "/events", otherKey, null);
        assertThat(refused.status).isEqualTo(404);
        assertThat(refused.header("content-type")).startsWith("application/problem+json");
        assertThat(open("/api/batches/" + UUID.randomUUID() + "/events", key, null).status).isEqualTo(404);
        assertThat(open("/api/batches/" + batch + "/events", null, null).status).isEqualTo(401);
        assertThat(open("/api/batches/" + batch + "/events", ADMIN_KEY, null).status).isEqualTo(200);
    }

    @Test
    void overviewShowsTheTenantsRunningBatchesAndTheirEnd() {
        SseClient overview = open("/api/batches/events", key, null);
        UUID mine = submit(key, 4);
        String otherKey = createKey("other-" + UUID.randomUUID().toString().substring(0, 8), "submitter");
        UUID theirs = submit(otherKey, 2);

        await().atMost(WAIT).until(() -> overview.events.stream().anyMatch(e -> active(e).contains(mine.toString())));
        SseClient.Event withMine = overview.events.stream().filter(e -> active(e).contains(mine.toString())).findFirst().orElseThrow();
        assertThat(withMine.name()).isEqualTo("overview");
        JsonNode data = data(withMine);
        assertThat(active(withMine)).doesNotContain(theirs.toString());
        assertThat(data.get("activeCount").asLong()).isEqualTo(1);
        assertThat(data.get("batchesByStatus").isObject()).isTrue();
        assertThat(data.get("active").get(0).get("counts").get("pending").asInt()).isEqualTo(4);

        succeed(mine, 0, 4);
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode latest = data(overview.events.getLast());
            assertThat(latest.get("active").size()).isZero();
            assertThat(latest.get("ended").get(0).get("batchId").asString()).isEqualTo(mine.toString());
            assertThat(latest.get("ended").get(0).get("status").asString()).isEqualTo("completed");
            assertThat(latest.get("batchesByStatus").get("completed").asLong()).isEqualTo(1);
        });

        // an admin's overview covers every tenant
        SseClient admin = open("/api/batches/events", ADMIN_KEY, null);
        await().atMost(WAIT).until(() -> admin.events.stream().anyMatch(e -> active(e).contains(theirs.toString())));
    }

    /**
     * Two API instances on one database and broker; only the first records results (the
     * second's tracker is stopped). A stream on either follows the batch to its end.
     */
    @Test
    void aSecondInstanceStreamsWhatTheFirstRecords() {
        Map<String, Object> properties = new java.util.HashMap<>(io.batchline.testing.TestServices.get().springProperties());
        properties.put("server.port", "0");
        properties.put("management.server.port", "0");
        properties.put("batch.secret-pepper", "test-pepper-0123456789abcdef");
        properties.put("batch.streams.heartbeat", "300ms");
        // as arguments: default properties would lose to application.yml's own datasource and broker settings
        String[] arguments = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        try (var second = new org.springframework.boot.builder.SpringApplicationBuilder(io.batchline.api.ApiApplication.class)
                .run(arguments)) {
            second.getBean("resultTrackerContainer", org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer.class).stop();
            int secondPort = Integer.parseInt(second.getEnvironment().getProperty("local.server.port"));

            UUID batch = submit(key, 6);
            SseClient onSecond = SseClient.open(secondPort, "/api/batches/" + batch + "/events", key, null);
            clients.add(onSecond);
            SseClient onFirst = stream(batch, null);
            assertThat(onSecond.status).isEqualTo(200);
            nextEvent(onSecond);
            nextEvent(onFirst);

            succeed(batch, 0, 3);
            await().atMost(WAIT).until(() -> onSecond.events.stream().anyMatch(e -> data(e).get("counts").get("succeeded").asInt() == 3));
            succeed(batch, 3, 6);
            for (SseClient client : List.of(onFirst, onSecond)) {
                await().atMost(WAIT).until(client::ended);
                assertThat(client.events.getLast().name()).isEqualTo("end");
                assertThat(data(client.events.getLast()).get("counts").get("succeeded").asInt()).isEqualTo(6);
            }
        }
    }

    private List<String> active(SseClient.Event event) {
        return data(event).get("active").valueStream().map(b -> b.get("batchId").asString()).toList();
    }
}
