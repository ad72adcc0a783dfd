package io.batchline.api.submission;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.api.RealServicesTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The seed-compatible endpoints bind their bodies before the controller runs: the body
 * limit (64 KB in these tests) holds for them too, declared or streamed, and nothing is stored.
 */
class SeedEndpointLimitsIntegrationTests extends RealServicesTest {

    private static byte[] users(int count) {
        StringBuilder body = new StringBuilder("{\"users\":[");
        for (int i = 0; i < count; i++) {
            body.append(i == 0 ? "" : ",").append("{\"email\":\"u").append(i)
                    .append("@example.com\",\"name\":\"User with a rather long name to fill the body\",\"password\":\"long-enough-password\"}");
        }
        return body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anOversizedBodyIsRefusedWith413WhetherDeclaredOrStreamed() {
        byte[] body = users(1_000);
        assertThat(body.length).isGreaterThan(64 * 1024);
        int before = count("SELECT count(*) FROM batches");

        Answer declared = postBytes("/batch/users/create", "application/json", body);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.body().get("type").asString()).endsWith("/body-too-large");

        Answer streamed = sendStreamed("/batch/users/create", "application/json", body);
        assertThat(streamed.status()).isEqualTo(413);
        assertThat(streamed.body().get("type").asString()).endsWith("/body-too-large");

        Answer price = sendStreamed("/api/batches/batch-update-price", "application/json",
                ("{\"creator\":\"c\",\"contentIds\":[\"" + "x".repeat(70 * 1024) + "\"],\"newPrice\":1}").getBytes(StandardCharsets.UTF_8));
        assertThat(price.status()).isEqualTo(413);
        assertThat(count("SELECT count(*) FROM batches")).isEqualTo(before);

        assertThat(postBytes("/batch/users/create", "application/json", users(3)).status()).isEqualTo(202);
    }
}
