package io.batchline.api.submission;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.api.RealServicesTest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class IdempotencyIntegrationTests extends RealServicesTest {

    private static final String BODY = "{\"operation\":\"user.lookup\",\"items\":[{\"email\":\"a@b.io\"},{\"email\":\"c@d.io\"}]}";

    private Answer submit(String key, String idempotencyKey, String body) {
        return as(key, "POST", "/api/batches", "application/json", body, Map.of("Idempotency-Key", idempotencyKey));
    }

    @Test
    void sameKeyAndBodyReturnsTheOriginalBatch() {
        String tenantKey = createKey("idem-" + UUID.randomUUID().toString().substring(0, 8), "submitter");
        String idempotencyKey = UUID.randomUUID().toString();
        Answer first = submit(tenantKey, idempotencyKey, BODY);
        Answer again = submit(tenantKey, idempotencyKey, BODY);

        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(id(again)).isEqualTo(id(first));
        assertThat(again.body().get("totalItems").asInt()).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM batch_items WHERE batch_id = ?", id(first))).isEqualTo(2);
    }

    @Test
    void sameKeyWithAnotherBodyIsRefused() {
        String tenantKey = createKey("idem-" + UUID.randomUUID().toString().substring(0, 8), "submitter");
        String idempotencyKey = UUID.randomUUID().toString();
        UUID original = id(submit(tenantKey, idempotencyKey, BODY));
        int batchesBefore = count("SELECT count(*) FROM batches");

        Answer other = submit(tenantKey, idempotencyKey, BODY.replace("c@d.io", "e@f.io"));
        assertThat(other.status()).isEqualTo(422);
        assertThat(other.contentType()).startsWith("application/problem+json");
        assertThat(other.body().get("type").asString()).endsWith("/idempotency-key-reused");
        assertThat(other.body().get("batchId").asString()).isEqualTo(original.toString());
        assertThat(count("SELECT count(*) FROM batches")).isEqualTo(batchesBefore);
    }

    @Test
    void twentyConcurrentDuplicatesCreateExactlyOneBatch() throws Exception {
        String tenant = "idem-" + UUID.randomUUID().toString().substring(0, 8);
        String tenantKey = createKey(tenant, "submitter");
        String idempotencyKey = UUID.randomUUID().toString();
        List<Answer> answers;
        try (ExecutorService threads = Executors.newFixedThreadPool(20)) {
            List<Future<Answer>> futures = IntStream.range(0, 20)
                    .mapToObj(i -> threads.submit(() -> submit(tenantKey, idempotencyKey, BODY))).toList();
            answers = new java.util.ArrayList<>();
            for (Future<Answer> future : futures) {
                answers.add(future.get());
            }
        }
        assertThat(answers).extracting(Answer::status).containsOnly(200, 202);
        assertThat(answers.stream().filter(a -> a.status() == 202)).hasSize(1);
        Set<UUID> ids = answers.stream().map(RealServicesTest::id).collect(Collectors.toSet());
        assertThat(ids).hasSize(1);
        assertThat(count("SELECT count(*) FROM batches WHERE creator = ?", tenant)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM batch_items WHERE batch_id = ?", ids.iterator().next())).isEqualTo(2);
    }

    @Test
    void keysBelongToTheirTenant() {
        String idempotencyKey = UUID.randomUUID().toString();
        UUID first = id(submit(createKey("idem-a-" + UUID.randomUUID().toString().substring(0, 6), "submitter"), idempotencyKey, BODY));
        UUID second = id(submit(createKey("idem-b-" + UUID.randomUUID().toString().substring(0, 6), "submitter"), idempotencyKey, BODY));
        assertThat(second).isNotEqualTo(first);
    }
}
