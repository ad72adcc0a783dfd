package io.batchline.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The seeds' behaviours end to end, with the API and two workers as separate processes:
 * ownership (seed 001), the user-batch endpoints and lookup cache with their options
 * (seed 003), crash visibility and progress logs (seed 004).
 */
class SeedBehaviourSystemTests {

    private static final int WORKER_CONSUMERS = 4;
    private static BatchlineStack stack;

    @BeforeAll
    static void startStack() {
        stack = new BatchlineStack(Map.of(
                // long enough that only the workers' eviction can explain a fresh answer
                "BATCH_USER_LOOKUP_CACHE_TTL", "10m",
                "WORKER_CONCURRENCY", String.valueOf(WORKER_CONSUMERS),
                "WORKER_PREFETCH", "100",
                "WORKER_ANNOUNCE_AFTER", "200ms")).startApi();
        stack.startWorker();
        stack.startWorker();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aTenantChangesOnlyItsOwnContentAndEveryRefusalIsAudited() {
        String owner = "owner-" + UUID.randomUUID();
        String intruder = "intruder-" + UUID.randomUUID();
        String intruderKey = stack.submitterKey(intruder);
        String content = "content-" + UUID.randomUUID();
        String unowned = "content-" + UUID.randomUUID();
        stack.execute("INSERT INTO catalog.content (id, creator, title, price) VALUES (?, ?, 'Owned', 5)", content, owner);
        stack.execute("INSERT INTO catalog.content (id, creator, title, price) VALUES (?, NULL, 'Shared', 5)", unowned);

        BatchlineStack.Answer refused = stack.request("POST", "/api/batches/batch-update-price", intruderKey,
                "{\"creator\":\"" + intruder + "\",\"contentIds\":[\"" + content + "\",\"" + unowned + "\"],\"newPrice\":1}");
        assertThat(refused.status()).as("%s", refused.body()).isEqualTo(201);
        UUID intruderBatch = UUID.fromString(refused.body().get("batchId").asString());
        JsonNode done = stack.awaitEnd(intruderBatch, Duration.ofMinutes(1));
        assertThat(done.get("successCount").asInt()).as("only the unowned content changes").isEqualTo(1);
        JsonNode failed = stack.request("GET", "/api/batches/" + intruderBatch + "/items?status=failed", intruderKey, null)
                .body().get("data");
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).get("key").asString()).isEqualTo(content);
        assertThat(failed.get(0).get("error").get("code").asString()).isEqualTo("content.forbidden");
        assertThat(stack.queryInt("SELECT price::int FROM catalog.content WHERE id = ?", content)).isEqualTo(5);
        assertThat(stack.queryInt("SELECT price::int FROM catalog.content WHERE id = ?", unowned)).isEqualTo(1);

        JsonNode audit = stack.get("/api/admin/audit?tenant=" + intruder + "&limit=50").body().get("data");
        List<JsonNode> refusals = audit.valueStream().filter(e -> e.get("action").asString().equals("item.forbidden")).toList();
        assertThat(refusals).hasSize(1);
        assertThat(refusals.getFirst().get("target").asString()).isEqualTo(intruderBatch.toString());
        assertThat(refusals.getFirst().get("details").get("seq").asInt()).isZero();
        assertThat(refusals.getFirst().get("details").get("code").asString()).isEqualTo("content.forbidden");

        // an admin acts for the owner by submitting as the owner
        BatchlineStack.Answer asOwner = stack.post("/api/batches/batch-update-price", "application/json",
                "{\"creator\":\"" + owner + "\",\"contentIds\":[\"" + content + "\"],\"newPrice\":7}");
        JsonNode ownerDone = stack.awaitEnd(UUID.fromString(asOwner.body().get("batchId").asString()), Duration.ofMinutes(1));
        assertThat(ownerDone.get("successCount").asInt()).isEqualTo(1);
        assertThat(stack.queryInt("SELECT price::int FROM catalog.content WHERE id = ?", content)).isEqualTo(7);
    }

    @Test
    void seedUserEndpointsCreateLookUpUpdateAndSoftDeleteWithTheCacheKeptFresh() {
        String tenant = "people-" + UUID.randomUUID();
        String key = stack.submitterKey(tenant);
        String otherKey = stack.submitterKey("others-" + UUID.randomUUID());
        String marker = UUID.randomUUID().toString().substring(0, 8);
        String users = IntStream.range(0, 30).mapToObj(i -> "{\"email\":\"u" + i + "-" + marker + "@example.com\",\"name\":\"User "
                + i + "\",\"password\":\"secret-password-" + i + "\"}").collect(Collectors.joining(","));

        BatchlineStack.Answer created = stack.request("POST", "/batch/users/create", key,
                "{\"users\":[" + users + "],\"options\":{\"chunkSize\":7,\"maxConcurrency\":2,\"continueOnError\":true}}");
        assertThat(created.status()).as("%s", created.body()).isEqualTo(202);
        assertThat(created.body().get("success").asBoolean()).isTrue();
        assertThat(created.body().get("stats").get("total").asInt()).isEqualTo(30);
        UUID batch = UUID.fromString(created.body().get("batchId").asString());
        JsonNode done = awaitEnd(batch, key);
        assertThat(done.get("successCount").asInt()).isEqualTo(30);
        assertThat(done.get("options").get("chunkSize").asInt()).isEqualTo(7);
        List<String> ids = stack.request("GET", "/api/batches/" + batch + "/items?limit=100", key, null).body().get("data")
                .valueStream().map(item -> item.get("result").get("userId").asString()).toList();

        String lookupPath = "/batch/users/lookup?chunkSize=4&ids=" + String.join(",", ids) + "," + UUID.randomUUID();
        JsonNode lookup = stack.request("GET", lookupPath, key, null).body();
        assertThat(lookup.get("success").asBoolean()).isTrue();
        assertThat(lookup.get("stats").get("requested").asInt()).isEqualTo(31);
        assertThat(lookup.get("stats").get("found").asInt()).isEqualTo(30);
        assertThat(lookup.get("stats").get("missing").asInt()).isEqualTo(1);
        assertThat(lookup.get("message").asString()).isEqualTo("Found 30 out of 31 users");
        assertThat(lookup.get("data").get(0).has("password")).isFalse();
        assertThat(lookup.get("data").get(0).has("passwordHash")).isFalse();
        // now cached: a second lookup reads nothing from the database
        assertThat(stack.request("GET", lookupPath, key, null).body().get("stats").get("fromCache").asInt()).isEqualTo(31);
        // another tenant's users read as missing
        assertThat(stack.request("GET", lookupPath, otherKey, null).body().get("stats").get("found").asInt()).isZero();

        BatchlineStack.Answer renamed = stack.request("PATCH", "/batch/users/update", key,
                "{\"updates\":[{\"id\":\"" + ids.get(0) + "\",\"data\":{\"name\":\"Renamed\"}}],\"options\":{\"chunkSize\":50}}");
        assertThat(renamed.status()).as("%s", renamed.body()).isEqualTo(202);
        awaitEnd(UUID.fromString(renamed.body().get("batchId").asString()), key);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(stack.request("GET", "/batch/users/lookup?ids=" + ids.get(0), key, null).body()
                        .get("data").get(0).get("name").asString()).isEqualTo("Renamed"));

        BatchlineStack.Answer login = stack.request("PATCH", "/batch/users/last-login", key,
                "{\"userIds\":[\"" + ids.get(1) + "\"]}");
        awaitEnd(UUID.fromString(login.body().get("batchId").asString()), key);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(stack.request("GET", "/batch/users/lookup?ids=" + ids.get(1), key, null).body()
                        .get("data").get(0).get("lastLoginAt").isNull()).isFalse());

        // another tenant may not delete them: its items fail user.forbidden, nothing changes
        BatchlineStack.Answer intrusion = stack.request("DELETE", "/batch/users/soft-delete", otherKey,
                "{\"userIds\":[\"" + ids.get(2) + "\"],\"options\":{\"continueOnError\":true}}");
        UUID intrusionBatch = UUID.fromString(intrusion.body().get("batchId").asString());
        awaitEnd(intrusionBatch, otherKey);
        assertThat(stack.request("GET", "/api/batches/" + intrusionBatch + "/items", otherKey, null).body().get("data").get(0)
                .get("error").get("code").asString()).isEqualTo("user.forbidden");

        BatchlineStack.Answer deleted = stack.request("DELETE", "/batch/users/soft-delete", key,
                "{\"userIds\":[\"" + ids.get(2) + "\",\"" + ids.get(3) + "\"],\"options\":{\"continueOnError\":false}}");
        assertThat(deleted.status()).as("%s", deleted.body()).isEqualTo(202);
        awaitEnd(UUID.fromString(deleted.body().get("batchId").asString()), key);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(stack.request("GET", "/batch/users/lookup?ids=" + ids.get(2) + "," + ids.get(3), key, null).body()
                        .get("stats").get("found").asInt()).isZero());
    }

    @Test
    void seedUserEndpointsRefuseBadInputNamingTheField() {
        String key = stack.submitterKey("careless-" + UUID.randomUUID());
        BatchlineStack.Answer tooBig = stack.request("POST", "/batch/users/create", key,
                "{\"users\":[{\"email\":\"a@example.com\",\"name\":\"A\",\"password\":\"long-enough\"}],\"options\":{\"chunkSize\":1001}}");
        assertThat(tooBig.status()).isEqualTo(400);
        assertThat(tooBig.body().toString()).contains("options.chunkSize");
        BatchlineStack.Answer tooMany = stack.request("POST", "/batch/users/create", key,
                "{\"users\":[{\"email\":\"a@example.com\",\"name\":\"A\",\"password\":\"long-enough\"}],\"options\":{\"maxConcurrency\":11}}");
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.body().toString()).contains("options.maxConcurrency");
        BatchlineStack.Answer badEmail = stack.request("POST", "/batch/users/create", key,
                "{\"users\":[{\"email\":\"a@example.com\",\"name\":\"A\",\"password\":\"long-enough\"},{\"email\":\"nope\",\"name\":\"B\",\"password\":\"long-enough\"}]}");
        assertThat(badEmail.status()).isEqualTo(400);
        assertThat(badEmail.body().toString()).contains("email");
        BatchlineStack.Answer badId = stack.request("GET", "/batch/users/lookup?ids=" + UUID.randomUUID() + ",not-a-uuid", key, null);
        assertThat(badId.status()).isEqualTo(400);
        assertThat(badId.body().toString()).contains("ids[1]");
        assertThat(stack.request("GET", "/batch/users/lookup?ids=" + UUID.randomUUID() + "&chunkSize=0", key, null).status())
                .isEqualTo(400);
        assertThat(stack.request("GET", "/batch/users/lookup?ids=" + UUID.randomUUID(), "bl_wrong", null).status()).isEqualTo(401);
    }

    /**
     * chunkSize and maxConcurrency hold end to end. Each item waits 400 ms and a handler runs
     * a chunk's items side by side, so a chunk's items end together; with maxConcurrency 1 a
     * worker runs one chunk of the batch at a time, so its chunks end at least ~400 ms apart.
     */
    @Test
    void aBatchsChunkSizeAndMaxConcurrencyHoldOnEveryWorker() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int chunkSize = 3 + random.nextInt(6);
        int total = chunkSize * (6 + random.nextInt(4)) + random.nextInt(chunkSize);
        String items = IntStream.range(0, total).mapToObj(i -> "{\"key\":\"k" + i + "\",\"delayMs\":400}").collect(Collectors.joining(","));
        BatchlineStack.Answer answer = stack.post("/api/batches", "application/json", "{\"operation\":\"noop\",\"items\":[" + items
                + "],\"options\":{\"chunkSize\":" + chunkSize + ",\"maxConcurrency\":1}}");
        assertThat(answer.status()).as("%s", answer.body()).isEqualTo(202);
        UUID batch = UUID.fromString(answer.body().get("batchId").asString());
        stack.awaitEnd(batch, Duration.ofMinutes(2));

        record Ended(String worker, Instant at) {
        }
        List<Ended> ended = new ArrayList<>();
        stack.get("/api/batches/" + batch + "/items?limit=1000").body().get("data").forEach(item -> ended.add(new Ended(
                item.path("activity").path("worker").asString("unknown"), Instant.parse(item.get("finishedAt").asString()))));
        // cluster each worker's items by end time: one cluster per chunk
        Map<String, List<List<Instant>>> chunks = new HashMap<>();
        ended.stream().sorted((a, b) -> a.at().compareTo(b.at())).forEach(e -> {
            List<List<Instant>> mine = chunks.computeIfAbsent(e.worker(), w -> new ArrayList<>());
            if (mine.isEmpty() || Duration.between(mine.getLast().getLast(), e.at()).toMillis() > 150) {
                mine.add(new ArrayList<>());
            }
            mine.getLast().add(e.at());
        });
        String context = "seed " + seed + ", chunkSize " + chunkSize + ", " + total + " items, chunks " + chunks;
        assertThat(chunks.keySet()).as(context).doesNotContain("unknown");
        chunks.values().forEach(mine -> mine.forEach(chunk -> assertThat(chunk.size()).as(context).isLessThanOrEqualTo(chunkSize)));
        chunks.values().forEach(mine -> {
            for (int i = 1; i < mine.size(); i++) {
                assertThat(Duration.between(mine.get(i - 1).getFirst(), mine.get(i).getFirst()).toMillis())
                        .as("two chunks of one worker overlapped: %s", context).isGreaterThanOrEqualTo(350);
            }
        });
        // many small chunks: the tracker logs the 10 % steps it crosses
        try {
            assertThat(Files.readString(stack.api().log())).contains("Batch " + batch + " progress: ");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A worker killed with items in hand: they showed who held them, come back as crashed,
     * are counted on the batch, and the batch still completes; the API logged its progress
     * in 10 % steps with the processing time.
     */
    @Test
    void itemsOfAKilledWorkerShowWhoHeldThemAndComeBackAsCrashed() throws IOException {
        String items = IntStream.range(0, 40).mapToObj(i -> "{\"key\":\"c" + i + "\",\"delayMs\":1500}").collect(Collectors.joining(","));
        UUID batch = stack.submit("noop", items);
        JsonNode inFlight = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> stack.get("/api/batches/" + batch + "/items?limit=100").body().get("data").valueStream()
                                .filter(item -> item.path("activity").path("inFlight").asBoolean(false))
                                .findFirst().orElse(null),
                        item -> item != null);
        assertThat(inFlight.get("status").asString()).isEqualTo("pending");
        assertThat(inFlight.get("activity").get("attempt").asInt()).isEqualTo(1);
        assertThat(inFlight.get("activity").get("startedAt").isNull()).isFalse();
        String holder = inFlight.get("activity").get("worker").asString();
        ServiceProcess victim = stack.workers().stream().filter(w -> holder.endsWith("/" + w.pid())).findFirst()
                .orElseThrow(() -> new AssertionError("no worker process is " + holder));
        victim.kill();
        stack.workers().remove(victim);
        stack.startWorker();

        JsonNode done = stack.awaitEnd(batch, Duration.ofMinutes(2));
        assertThat(done.get("status").asString()).isEqualTo("completed");
        assertThat(done.get("successCount").asInt()).isEqualTo(40);
        assertThat(done.get("crashedItems").asInt()).isPositive();
        JsonNode crashedItem = stack.get("/api/batches/" + batch + "/items?limit=100").body().get("data").valueStream()
                .filter(item -> item.get("seq").asInt() == inFlight.get("seq").asInt()).findFirst().orElseThrow();
        assertThat(crashedItem.get("activity").get("crashes").asInt()).isEqualTo(1);
        assertThat(crashedItem.get("activity").get("lastRetry").get("code").asString()).isEqualTo("crashed");
        assertThat(stack.queryInt("SELECT count(*) FROM batch_items WHERE batch_id = ? AND crashes > 0", batch))
                .isEqualTo(done.get("crashedItems").asInt());
        stack.assertCountersEqualItemRows(batch);

        String log = Files.readString(stack.api().log());
        assertThat(log).containsPattern("Batch " + batch + " completed: 40 of 40 items succeeded, 0 failed, processing_time: [0-9.]+s");
    }

    private static JsonNode awaitEnd(UUID batch, String key) {
        return await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                .until(() -> stack.request("GET", "/api/batches/" + batch, key, null).body(),
                        view -> view != null && List.of("completed", "failed", "cancelled", "timed_out").contains(view.path("status").asString("")));
    }
}
