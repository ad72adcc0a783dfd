package io.batchline.api.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemResult;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

class RetentionIntegrationTests extends RealServicesTest {

    @Autowired
    RetentionJob job;

    @Autowired
    BatchRemoval removal;

    @Autowired
    TransactionTemplate transaction;

    @Autowired
    MeterRegistry meters;

    private double removed(String kind) {
        return meters.find("batchline.retention.removed").tag("kind", kind).counter().count();
    }

    private UUID ended(int items) {
        UUID batch = submitLookups(items, "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT dispatched FROM batches WHERE id = ?", batch) == items);
        ItemResult[] results = new ItemResult[items];
        for (int i = 0; i < items; i++) {
            results[i] = ItemResult.succeeded(batch, i, 0, 1, null);
        }
        publishResults(results);
        await().atMost(Duration.ofSeconds(20)).until(() -> "completed".equals(batch(batch).get("status").asString()));
        return batch;
    }

    private int rowsNaming(UUID batch) {
        return count("SELECT (SELECT count(*) FROM batches WHERE id = ?) + (SELECT count(*) FROM batch_items WHERE batch_id = ?)"
                        + " + (SELECT count(*) FROM callback_outbox WHERE batch_id = ?) + (SELECT count(*) FROM callback_attempts WHERE batch_id = ?)"
                        + " + (SELECT count(*) FROM idempotency_keys WHERE batch_id = ?) + (SELECT count(*) FROM audit_log WHERE target = ?)"
                        + " + (SELECT count(*) FROM removed_batch_items WHERE batch_id = ?)",
                batch, batch, batch, batch, batch, batch.toString(), batch);
    }

    @Test
    void removesOnlyBatchesThatEndedLongAgoWithEverythingThatNamesThem() {
        UUID old = ended(3);
        UUID recent = ended(2);
        UUID runningButOld = submitLookups(2, "{}");
        jdbc.sql("UPDATE batches SET completed_at = now() - interval '40 days', created_at = now() - interval '41 days' WHERE id = ?").params(old).update();
        jdbc.sql("UPDATE batches SET created_at = now() - interval '60 days' WHERE id = ?").params(runningButOld).update();
        jdbc.sql("INSERT INTO callback_outbox (batch_id, url, tenant) VALUES (?, 'http://127.0.0.1:1/cb', 'admin')").params(old).update();
        jdbc.sql("INSERT INTO callback_attempts (batch_id, attempt, status) VALUES (?, 1, 500)").params(old).update();
        jdbc.sql("INSERT INTO idempotency_keys (tenant, key, request_hash, batch_id) VALUES ('admin', ?, '\\x00'::bytea, ?)")
                .params("retention-" + old, old).update();
        assertThat(count("SELECT count(*) FROM audit_log WHERE target = ?", old.toString())).isPositive();
        double batchesBefore = removed("batches");
        double itemsBefore = removed("items");

        job.run(Instant.now().minus(Duration.ofDays(30)));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rowsNaming(old)).isZero());
        assertThat(removed("batches") - batchesBefore).isEqualTo(1);
        assertThat(removed("items") - itemsBefore).isEqualTo(3);
        assertThat(count("SELECT count(*) FROM batch_items WHERE batch_id = ?", recent)).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM batch_items WHERE batch_id = ?", runningButOld)).isEqualTo(2);
        assertThat(get("/api/batches/" + recent).status()).isEqualTo(200);
        assertThat(get("/api/batches/" + runningButOld).status()).isEqualTo(200);
        assertThat(get("/api/batches/" + old).status()).isEqualTo(404);
        assertThat(get("/api/batches/" + old + "/items").status()).isEqualTo(404);
    }

    @Test
    void itemsOfARemovedBatchGoABoundedNumberPerStatement() {
        UUID batch = ended(120);
        Boolean removedNow = transaction.execute(tx -> removal.removeOne(batch));
        assertThat(removedNow).isTrue();
        // the batch is gone at once; its items follow, 50 per statement, whoever runs them
        assertThat(get("/api/batches/" + batch + "/items").status()).isEqualTo(404);
        int total = 0;
        int deleted;
        do {
            deleted = java.util.Objects.requireNonNull(transaction.execute(tx -> removal.deleteSomeItems(50)));
            assertThat(deleted).isLessThanOrEqualTo(50);
            total += Math.max(0, deleted);
        } while (deleted >= 0 && count("SELECT count(*) FROM removed_batch_items WHERE batch_id = ?", batch) > 0);
        assertThat(total).isLessThanOrEqualTo(120); // the scheduled job may have taken some
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rowsNaming(batch)).isZero());
    }

    @Test
    void anAdminDeletesAnEndedBatchAtOnceAndTheDeleteIsAudited() {
        UUID batch = ended(2);

        Answer answer = as(ADMIN_KEY, "DELETE", "/api/admin/batches/" + batch, null, null, Map.of());

        assertThat(answer.status()).isEqualTo(204);
        assertThat(get("/api/batches/" + batch).status()).isEqualTo(404);
        assertThat(count("SELECT count(*) FROM audit_log WHERE action = 'batch.deleted' AND target = ?", batch.toString())).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM audit_log WHERE action = 'batch.submitted' AND target = ?", batch.toString())).isZero();
        job.run(null);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(count("SELECT count(*) FROM batch_items WHERE batch_id = ?", batch)).isZero());
        assertThat(as(ADMIN_KEY, "DELETE", "/api/admin/batches/" + batch, null, null, Map.of()).status()).isEqualTo(404);
    }

    @Test
    void aBatchThatHasNotEndedIsNotDeleted() {
        UUID running = submitLookups(2, "{}");

        Answer answer = as(ADMIN_KEY, "DELETE", "/api/admin/batches/" + running, null, null, Map.of());

        assertThat(answer.status()).isEqualTo(409);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.body().get("type").asString()).endsWith("/batch-not-ended");
        assertThat(answer.body().get("batchStatus").asString()).isIn("pending", "processing");
        assertThat(count("SELECT count(*) FROM batch_items WHERE batch_id = ?", running)).isEqualTo(2);
    }

    @Test
    void onlyAnAdminDeletesAndAnUnknownOrMalformedIdIsRefused() {
        UUID batch = ended(1);
        String submitter = createKey("retention-" + UUID.randomUUID(), "submitter");

        assertThat(as(submitter, "DELETE", "/api/admin/batches/" + batch, null, null, Map.of()).status()).isEqualTo(403);
        assertThat(as(ADMIN_KEY, "DELETE", "/api/admin/batches/" + UUID.randomUUID(), null, null, Map.of()).status()).isEqualTo(404);
        Answer malformed = as(ADMIN_KEY, "DELETE", "/api/admin/batches/not-a-uuid", null, null, Map.of());
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.contentType()).startsWith("application/problem+json");
        assertThat(get("/api/batches/" + batch).status()).isEqualTo(200);
    }
}
