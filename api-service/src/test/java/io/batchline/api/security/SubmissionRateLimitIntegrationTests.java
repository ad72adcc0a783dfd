package io.batchline.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.api.RealServicesTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

@TestPropertySource(properties = {
        "batch.tenant-limits.requests-per-second=3",
        "batch.tenant-limits.items-per-minute=50"})
class SubmissionRateLimitIntegrationTests extends RealServicesTest {

    private static String lookups(int n) {
        return "{\"operation\":\"user.lookup\",\"items\":["
                + IntStream.range(0, n).mapToObj(i -> "{\"email\":\"u" + i + "@x.io\"}").collect(Collectors.joining(",")) + "]}";
    }

    @Test
    void tooManySubmissionsPerSecondAreRefusedWithRetryAfter() {
        String tenant = "busy-" + UUID.randomUUID().toString().substring(0, 8);
        String key = createKey(tenant, "submitter");
        List<Answer> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answers.add(as(key, "POST", "/api/batches", "application/json", lookups(1), Map.of()));
        }
        List<Answer> refused = answers.stream().filter(a -> a.status() == 429).toList();
        assertThat(refused).isNotEmpty();
        assertThat(refused.getFirst().contentType()).startsWith("application/problem+json");
        assertThat(refused.getFirst().body().get("type").asString()).endsWith("/rate-limited");
        assertThat(Long.parseLong(refused.getFirst().header("Retry-After"))).isPositive();
        long accepted = answers.stream().filter(a -> a.status() == 202).count();
        assertThat(accepted + refused.size()).isEqualTo(10);
        assertThat(count("SELECT count(*) FROM batches WHERE creator = ?", tenant)).isEqualTo((int) accepted);
    }

    @Test
    void tooManyItemsPerMinuteAreRefusedAndStoreNothing() {
        String tenant = "bulk-" + UUID.randomUUID().toString().substring(0, 8);
        String key = createKey(tenant, "submitter");
        assertThat(as(key, "POST", "/api/batches", "application/json", lookups(40), Map.of()).status()).isEqualTo(202);

        Answer over = as(key, "POST", "/api/batches", "application/json", lookups(20), Map.of());
        assertThat(over.status()).isEqualTo(429);
        assertThat(over.body().get("detail").asString()).contains("50 items per minute");
        assertThat(count("SELECT count(*) FROM batches WHERE creator = ?", tenant)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM batch_items i JOIN batches b ON b.id = i.batch_id WHERE b.creator = ?", tenant))
                .isEqualTo(40);
    }

    @Test
    void adminsAreNotLimited() {
        for (int i = 0; i < 8; i++) {
            assertThat(postJson("/api/batches", lookups(10)).status()).isEqualTo(202);
        }
    }
}
