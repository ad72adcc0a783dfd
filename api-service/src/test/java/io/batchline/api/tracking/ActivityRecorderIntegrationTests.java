package io.batchline.api.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemActivity;
import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
import io.batchline.model.status.ItemStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import tools.jackson.databind.JsonNode;

/** Crash visibility: the workers' notes as the items endpoint and the batch show them, and notes that must change nothing. */
class ActivityRecorderIntegrationTests extends RealServicesTest {

    private UUID submit(int items) {
        StringBuilder body = new StringBuilder("{\"operation\":\"user.touch-login\",\"items\":[");
        for (int i = 0; i < items; i++) {
            body.append(i == 0 ? "" : ",").append("{\"userId\":\"").append(UUID.randomUUID()).append("\"}");
        }
        return id(postJson("/api/batches", body.append("]}").toString()));
    }

    private void note(ItemActivity.Kind kind, String worker, UUID batch, int attempt, ItemError error, int... seqs) {
        List<ItemActivity.Item> items = java.util.Arrays.stream(seqs).mapToObj(seq -> new ItemActivity.Item(batch, seq, 0, attempt, error)).toList();
        MessageProperties properties = new MessageProperties();
        properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        rabbit.send(Topology.RESULTS_EXCHANGE, Topology.ACTIVITY_ROUTING_KEY,
                new Message(json.writeValueAsBytes(new ItemActivity(kind, worker, Instant.now(), items)), properties));
    }

    private JsonNode item(UUID batch, int seq) {
        return get("/api/batches/" + batch + "/items?limit=100").body().get("data").get(seq);
    }

    /** The item's activity; an assertion error (retried by Awaitility) while it has none. */
    private JsonNode activity(UUID batch, int seq) {
        JsonNode item = item(batch, seq);
        assertThat(item.has("activity")).as("item %d has activity: %s", seq, item).isTrue();
        return item.get("activity");
    }

    @Test
    void anItemInFlightShowsItsWorkerAttemptAndStartThenACrashCountsOncePerAttempt() {
        UUID batch = submit(3);
        note(ItemActivity.Kind.STARTED, "host-a/101", batch, 1, null, 0, 1);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode activity = activity(batch, 0);
            assertThat(activity.get("inFlight").asBoolean()).isTrue();
            assertThat(activity.get("worker").asString()).isEqualTo("host-a/101");
            assertThat(activity.get("attempt").asInt()).isEqualTo(1);
            assertThat(activity.get("startedAt").isNull()).isFalse();
        });
        assertThat(item(batch, 2).has("activity")).as("no note, no activity").isFalse();

        ItemError crashed = new ItemError(ItemActivity.CRASHED_CODE, "delivered again without a result");
        // the same crash noted twice (the noting chunk was redelivered) counts once
        note(ItemActivity.Kind.CRASHED, "host-b/202", batch, 1, crashed, 0, 1);
        note(ItemActivity.Kind.CRASHED, "host-b/202", batch, 1, crashed, 0);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode activity = activity(batch, 0);
            assertThat(activity.get("crashes").asInt()).isEqualTo(1);
            assertThat(activity.get("inFlight").asBoolean()).isFalse();
            assertThat(activity.get("lastRetry").get("code").asString()).isEqualTo("crashed");
            assertThat(activity.get("worker").asString()).as("names the worker that died holding it").isEqualTo("host-a/101");
            assertThat(batch(batch).get("crashedItems").asInt()).isEqualTo(2);
        });

        // a second crash at the next attempt counts on the item, not again on the batch
        note(ItemActivity.Kind.STARTED, "host-c/303", batch, 2, null, 0);
        // API instances consume notes side by side: the start is applied before the crash is sent
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(activity(batch, 0).path("worker").asString("")).isEqualTo("host-c/303"));
        note(ItemActivity.Kind.CRASHED, "host-d/404", batch, 2, crashed, 0);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(activity(batch, 0).get("crashes").asInt()).isEqualTo(2));
        assertThat(batch(batch).get("crashedItems").asInt()).isEqualTo(2);
        assertThat(count("SELECT crashed_items FROM batches WHERE id = ?", batch))
                .isEqualTo(count("SELECT count(*) FROM batch_items WHERE batch_id = ? AND crashes > 0", batch));
    }

    @Test
    void lateNotesChangeNothing() {
        UUID batch = submit(2);
        note(ItemActivity.Kind.RETRYING, "host-a/1", batch, 3, new ItemError("http.status_503", "unavailable"), 0);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(item(batch, 0).path("activity").path("lastRetry").path("code").asString("")).isEqualTo("http.status_503"));
        // a start note of an older attempt arrives late: ignored
        note(ItemActivity.Kind.STARTED, "host-old/9", batch, 2, null, 0);
        // item 1 ends, then its start note arrives: ignored too
        publishResults(new ItemResult(batch, 1, 0, 1, ItemStatus.SUCCEEDED, null, null, Instant.now()));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(item(batch, 1).get("status").asString()).isEqualTo("succeeded"));
        note(ItemActivity.Kind.STARTED, "host-late/7", batch, 1, null, 1);
        // a marker note proves the notes before it were applied (one queue, one consumer chunk order)
        note(ItemActivity.Kind.STARTED, "host-marker/8", batch, 4, null, 0);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(activity(batch, 0).path("worker").asString("")).isEqualTo("host-marker/8"));
        assertThat(item(batch, 1).has("activity")).isFalse();
        assertThat(count("SELECT count(*) FROM batch_items WHERE batch_id = ? AND worker = 'host-old/9'", batch)).isZero();
    }

    @Test
    void aStartNoteRacingItsRetryNoteAndARedeliveryOfAnUnannouncedItemAreNotShownAsRunningOrCrashed() {
        UUID batch = submit(2);
        note(ItemActivity.Kind.RETRYING, "host-a/1", batch, 1, new ItemError("noop.planned_transient_failure", "again"), 0);
        // the announcement of attempt 1 raced the end of its chunk and lands after the retry note
        note(ItemActivity.Kind.STARTED, "host-a/1", batch, 1, null, 0);
        // item 1 was only prefetched by a worker that stopped: redelivered, never announced
        note(ItemActivity.Kind.CRASHED, "host-b/2", batch, 1, new ItemError(ItemActivity.CRASHED_CODE, "again"), 1);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(activity(batch, 1).path("lastRetry").path("code").asString("")).isEqualTo("redelivered");
            assertThat(activity(batch, 0).path("lastRetry").path("code").asString("")).isEqualTo("noop.planned_transient_failure");
        });
        // whichever of item 0's two notes came first, the item is not shown running
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(activity(batch, 0).get("inFlight").asBoolean()).isFalse());
        assertThat(activity(batch, 1).get("crashes").asInt()).isZero();
        assertThat(batch(batch).get("crashedItems").asInt()).isZero();
    }

    @Test
    void anItemRefusedForAnotherOwnersRowIsAuditedOnceUnderTheBatchsTenant() {
        String key = createKey("auditee", "submitter");
        JsonNode accepted = as(key, "POST", "/api/batches", "application/json",
                "{\"operation\":\"content.update-price\",\"items\":[{\"contentId\":\"c-1\",\"newPrice\":1},{\"contentId\":\"c-2\",\"newPrice\":1}]}",
                java.util.Map.of()).body();
        UUID batch = UUID.fromString(accepted.get("batchId").asString());
        ItemResult refused = new ItemResult(batch, 0, 0, 1, ItemStatus.FAILED, null,
                new ItemError("content.forbidden", "content 'c-1' belongs to another creator"), Instant.now());
        publishResults(refused);
        publishResults(refused);
        publishResults(new ItemResult(batch, 1, 0, 1, ItemStatus.SUCCEEDED, null, null, Instant.now()));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(batch(batch).get("status").asString()).isEqualTo("completed"));
        assertThat(count("SELECT count(*) FROM audit_log WHERE tenant = 'auditee' AND action = 'item.forbidden' AND target = ?"
                + " AND (details->>'seq')::int = 0", batch.toString())).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM audit_log WHERE action = 'item.forbidden' AND target = ?", batch.toString()))
                .isEqualTo(1);
    }
}
