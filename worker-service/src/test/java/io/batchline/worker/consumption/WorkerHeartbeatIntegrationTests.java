package io.batchline.worker.consumption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.worker.WorkerIntegrationTest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The worker's heartbeat row: alive, what it holds while it holds it, and old rows forgotten. */
class WorkerHeartbeatIntegrationTests extends WorkerIntegrationTest {

    @Autowired
    WorkerHeartbeat heartbeat;

    private Map<String, Object> row() {
        return jdbc.sql("""
                SELECT seen_at, operations::text AS operations, in_flight_chunks, in_flight_items, in_flight::text AS in_flight,
                       batches::text AS batches, items_total, version, now() - seen_at < interval '5 seconds' AS fresh
                  FROM worker.heartbeats WHERE worker = ?""").param(heartbeat.worker()).query().singleRow();
    }

    @Test
    void heartbeatShowsTheChunkInHandAndThenItsEnd() {
        UUID batch = UUID.randomUUID();
        long before = jdbc.sql("SELECT coalesce(max(items_total), 0) FROM worker.heartbeats WHERE worker = ?")
                .param(heartbeat.worker()).query(Long.class).single();
        publishItem("noop", batch, 0, 1, "{\"key\":\"slow\",\"delayMs\":1200}");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, Object> row = row();
            assertThat(row.get("fresh")).isEqualTo(true);
            assertThat((int) row.get("in_flight_items")).isGreaterThanOrEqualTo(1);
            assertThat((String) row.get("batches")).contains(batch.toString());
            assertThat((String) row.get("in_flight")).contains("\"noop\"").contains("\"items\"");
        });
        Map<String, Object> holding = row();
        assertThat(Arrays.asList(((String) holding.get("operations")).replaceAll("[{}]", "").split(","))).contains("noop");
        assertThat((String) holding.get("version")).isNotBlank();

        awaitResults(batch, 1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, Object> row = row();
            assertThat((String) row.get("batches")).doesNotContain(batch.toString());
            assertThat((long) row.get("items_total")).isGreaterThanOrEqualTo(before + 1);
        });
    }

    @Test
    void rowsOfWorkersGoneForAnHourAreDeleted() {
        jdbc.sql("""
                INSERT INTO worker.heartbeats (worker, started_at, seen_at, operations)
                VALUES ('long-gone/1', now() - interval '3 hours', now() - interval '2 hours', '{noop}'),
                       ('recently-gone/2', now() - interval '3 hours', now() - interval '10 minutes', '{noop}')
                ON CONFLICT (worker) DO NOTHING""").update();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                jdbc.sql("SELECT count(*) FROM worker.heartbeats WHERE worker = 'long-gone/1'").query(Integer.class).single()).isZero());
        assertThat(jdbc.sql("SELECT count(*) FROM worker.heartbeats WHERE worker = 'recently-gone/2'").query(Integer.class).single())
                .isEqualTo(1);
    }
}
