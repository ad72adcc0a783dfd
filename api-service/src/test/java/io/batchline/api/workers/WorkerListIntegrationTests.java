package io.batchline.api.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.api.RealServicesTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** {@code GET /api/workers} from the heartbeat rows the workers write (no worker runs here: the rows are written by hand). */
class WorkerListIntegrationTests extends RealServicesTest {

    private static final String HEARTBEAT = """
            INSERT INTO worker.heartbeats (worker, started_at, seen_at, operations, in_flight_chunks, in_flight_items, in_flight,
                                           batches, items_total, version)
            VALUES (?, now() - interval '1 hour', now() - CAST(? AS interval), '{noop,user.lookup}', 2, 150,
                    '{"noop": {"chunks": 2, "items": 150}}', CAST(? AS uuid[]), 12345, 'test')
            """;

    private final String prefix = "test-" + UUID.randomUUID().toString().substring(0, 8) + "/";

    @AfterEach
    void forgetRows() {
        jdbc.sql("DELETE FROM worker.heartbeats WHERE worker LIKE ?").param(prefix + "%").update();
    }

    private JsonNode worker(JsonNode list, String name) {
        return list.get("data").valueStream().filter(w -> w.get("worker").asString().equals(prefix + name)).findFirst().orElse(null);
    }

    @Test
    void listsAliveAndGoneWorkersWithWhatTheyHold() {
        String tenant = "workers-" + UUID.randomUUID().toString().substring(0, 8);
        String key = createKey(tenant, "submitter");
        UUID mine = id(as(key, "POST", "/api/batches", "application/json",
                "{\"operation\":\"user.lookup\",\"items\":[{\"email\":\"a@b.io\"}]}", Map.of()));
        UUID theirs = submitLookups(1, "{}");
        jdbc.sql(HEARTBEAT).params(prefix + "alive", "2 seconds", "{" + mine + "," + theirs + "}").update();
        jdbc.sql(HEARTBEAT).params(prefix + "gone", "2 minutes", "{}").update();
        jdbc.sql(HEARTBEAT).params(prefix + "ancient", "2 hours", "{}").update();

        Answer admin = get("/api/workers");
        assertThat(admin.status()).isEqualTo(200);
        JsonNode alive = worker(admin.body(), "alive");
        assertThat(alive.get("state").asString()).isEqualTo("alive");
        assertThat(alive.get("operations").valueStream().map(JsonNode::asString).toList()).containsExactly("noop", "user.lookup");
        assertThat(alive.get("inFlight").get("chunks").asInt()).isEqualTo(2);
        assertThat(alive.get("inFlight").get("items").asInt()).isEqualTo(150);
        assertThat(alive.get("inFlight").get("byOperation").get("noop").get("items").asInt()).isEqualTo(150);
        assertThat(alive.get("batches").valueStream().map(JsonNode::asString).toList())
                .containsExactlyInAnyOrder(mine.toString(), theirs.toString());
        assertThat(alive.get("itemsTaken").asLong()).isEqualTo(12345);
        assertThat(alive.get("secondsSinceSeen").asLong()).isBetween(0L, 10L);
        assertThat(worker(admin.body(), "gone").get("state").asString()).isEqualTo("gone");
        assertThat(worker(admin.body(), "ancient")).as("not seen for over an hour").isNull();
        assertThat(admin.body().get("alive").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(admin.body().get("gone").asLong()).isGreaterThanOrEqualTo(1);

        // a submitter sees the fleet, but among the batches in hand only its own
        JsonNode seenBySubmitter = worker(as(key, "GET", "/api/workers", null, null, Map.of()).body(), "alive");
        assertThat(seenBySubmitter.get("batches").valueStream().map(JsonNode::asString).toList()).containsExactly(mine.toString());
        assertThat(seenBySubmitter.get("inFlight").get("items").asInt()).isEqualTo(150);
    }

    @Test
    void noWorkerSchemaYetIsAnEmptyList() {
        jdbc.sql("ALTER TABLE worker.heartbeats RENAME TO heartbeats_away").update();
        try {
            Answer answer = get("/api/workers");
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body().get("data").size()).isZero();
            assertThat(answer.body().get("alive").asLong()).isZero();
        } finally {
            jdbc.sql("ALTER TABLE worker.heartbeats_away RENAME TO heartbeats").update();
        }
        assertThat(List.of(get("/api/workers").status())).containsExactly(200);
    }
}
