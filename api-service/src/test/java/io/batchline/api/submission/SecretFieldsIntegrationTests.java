package io.batchline.api.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.Topology;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;

/** A user.create password is replaced by a keyed hash before anything is stored or published. */
class SecretFieldsIntegrationTests extends RealServicesTest {

    @Test
    void passwordIsNeitherStoredNorPublished() {
        rabbitAdmin.purgeQueue(Topology.itemQueue("user.create"), false);
        String password = "correct-horse-battery-" + UUID.randomUUID();
        Answer answer = postJson("/api/batches", "{\"operation\":\"user.create\",\"items\":[{\"email\":\"p@x.io\",\"name\":\"P\",\"password\":\""
                + password + "\"}]}");
        assertThat(answer.status()).isEqualTo(202);
        UUID batch = id(answer);

        String stored = jdbc.sql("SELECT payload::text FROM batch_items WHERE batch_id = ?").param(batch).query(String.class).single();
        assertThat(stored).doesNotContain(password).contains(SecretFields.PREFIX);
        assertThat(json.readTree(stored).get("email").asString()).isEqualTo("p@x.io");

        Message published = await().atMost(Duration.ofSeconds(20))
                .until(() -> rabbit.receive(Topology.itemQueue("user.create")), m -> m != null);
        assertThat(new String(published.getBody())).doesNotContain(password).contains(SecretFields.PREFIX);
        // the same password always gives the same digest, so a login can be checked against it
        assertThat(json.readTree(published.getBody()).get("password").asString())
                .isEqualTo(new SecretFields(new SubmissionSettings("test-pepper-0123456789abcdef", java.time.Duration.ofHours(24))).digest(password));
    }

    @Test
    void shortPasswordsAreStillRefusedBeforeHashing() {
        Answer answer = postJson("/api/batches", "{\"operation\":\"user.create\",\"items\":[{\"email\":\"q@x.io\",\"name\":\"Q\",\"password\":\"short\"}]}");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.body().get("errors").get(0).get("field").asString()).isEqualTo("password");
    }
}
