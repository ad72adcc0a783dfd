package io.batchline.api.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.api.RealServicesTest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code GET /api/batches/stats?since=}: seed 004's "last 24 h". */
class StatsSinceIntegrationTests extends RealServicesTest {

    @Test
    void sinceKeepsTheBatchesCreatedInTheWindow() {
        String tenant = "stats-" + UUID.randomUUID();
        String key = createKey(tenant, "submitter");
        for (int i = 0; i < 2; i++) {
            Answer answer = as(key, "POST", "/api/batches", "application/json",
                    "{\"operation\":\"user.lookup\",\"items\":[{\"email\":\"s@x.io\"}]}", Map.of());
            assertThat(answer.status()).isEqualTo(202);
            if (i == 0) {
                jdbc.sql("UPDATE batches SET created_at = now() - interval '2 days' WHERE id = ?").params(id(answer)).update();
            }
        }

        assertThat(stats(key, "").get("totalBatches").asLong()).isEqualTo(2);
        assertThat(stats(key, "?since=24h").get("totalBatches").asLong()).isEqualTo(1);
        assertThat(stats(key, "?since=PT24H").get("totalBatches").asLong()).isEqualTo(1);
        assertThat(stats(key, "?since=3d").get("totalBatches").asLong()).isEqualTo(2);
        assertThat(stats(key, "?since=2020-01-01T00:00:00Z").get("totalBatches").asLong()).isEqualTo(2);
        assertThat(stats(key, "?since=2020-01-01T00:00:00Z").get("since").asString()).isEqualTo("2020-01-01T00:00:00Z");
    }

    @Test
    void aBadSinceIsA400ThatNamesIt() {
        for (String bad : new String[] {"abc", "-1h", "24", "0s", "P", "2026-13-01T00:00:00Z", "99999d", "%20"}) {
            Answer answer = get("/api/batches/stats?since=" + bad);
            assertThat(answer.status()).as(bad).isEqualTo(400);
            assertThat(answer.contentType()).as(bad).startsWith("application/problem+json");
            assertThat(answer.body().get("type").asString()).as(bad).endsWith("/invalid-parameter");
            assertThat(answer.body().get("detail").asString()).as(bad).startsWith("since ");
        }
    }

    private tools.jackson.databind.JsonNode stats(String key, String query) {
        Answer answer = as(key, "GET", "/api/batches/stats" + query, null, null, Map.of());
        assertThat(answer.status()).as(query).isEqualTo(200);
        return answer.body();
    }
}
