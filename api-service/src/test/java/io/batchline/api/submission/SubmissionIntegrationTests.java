package io.batchline.api.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.Topology;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;

class SubmissionIntegrationTests extends RealServicesTest {


    @Test
    void acceptsBatchStoresEveryItemAndPublishesOneConfirmedMessageEach() {
        String items = IntStream.range(0, 150).mapToObj(i -> "{\"key\":\"k-" + i + "\",\"n\":" + i + "}")
                .collect(Collectors.joining(","));
        Answer answer = postJson("/api/batches",
                "{\"metadata\":{\"ticket\":\"OPS-1\"},\"operation\":\"noop\",\"creator\":\"team-a\",\"items\":[" + items + "]}");

        assertThat(answer.status()).isEqualTo(202);
        UUID id = id(answer);
        assertThat(answer.header("Location")).isEqualTo("/api/batches/" + id);
        assertThat(answer.body().get("status").asString()).isEqualTo("pending");
        assertThat(answer.body().get("totalItems").asInt()).isEqualTo(150);
        assertThat(answer.body().get("links").get("self").asString()).isEqualTo("/api/batches/" + id);

        assertThat(count("SELECT count(*) FROM batch_items WHERE batch_id = ?", id)).isEqualTo(150);
        assertThat(jdbc.sql("SELECT item_key FROM batch_items WHERE batch_id = ? AND seq = 42").param(id)
                .query(String.class).single()).isEqualTo("k-42");
        // other tests' noop batches share the queue: drain it and keep this batch's messages
        Set<Integer> published = new HashSet<>();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Message message;
            while ((message = rabbit.receive(Topology.itemQueue("noop"))) != null) {
                if (id.toString().equals(message.getMessageProperties().getHeaders().get(Topology.HEADER_BATCH_ID))) {
                    assertThat(published.add((Integer) message.getMessageProperties().getHeaders().get(Topology.HEADER_ITEM_SEQ)))
                            .as("each item is published once").isTrue();
                }
            }
            assertThat(published).hasSize(150);
        });
        assertThat(count("SELECT dispatched FROM batches WHERE id = ?", id)).isEqualTo(150);
        assertThat(get("/api/batches/" + id).body().get("status").asString()).isEqualTo("processing");
    }

    @Test
    void publishedItemCarriesItsIdentityInHeadersAndItsPayloadAsBody() {
        // user.lookup has no worker in this JVM, so its queue holds exactly what was dispatched
        rabbitAdmin.purgeQueue(Topology.itemQueue("user.lookup"), false);
        Answer answer = postJson("/api/batches", "{\"operation\":\"user.lookup\",\"items\":[{\"email\":\"a@b.io\"}]}");
        UUID id = id(answer);
        Message message = await().atMost(Duration.ofSeconds(20))
                .until(() -> rabbit.receive(Topology.itemQueue("user.lookup")), m -> m != null);
        var properties = message.getMessageProperties();
        assertThat(properties.getHeaders().get(Topology.HEADER_BATCH_ID)).isEqualTo(id.toString());
        assertThat(properties.getHeaders().get(Topology.HEADER_ITEM_SEQ)).isEqualTo(0);
        assertThat(properties.getHeaders().get(Topology.HEADER_ATTEMPT)).isEqualTo(1);
        assertThat(properties.getMessageId()).isEqualTo(id + ":0:1");
        assertThat(properties.getReceivedDeliveryMode()).hasToString("PERSISTENT");
        assertThat(json.readTree(message.getBody()).get("email").asString()).isEqualTo("a@b.io");
    }

    @Test
    void acceptsNdjsonWithTheHeaderOnTheFirstLine() {
        String body = "{\"operation\":\"noop\",\"creator\":\"stream\"}\n"
                + IntStream.range(0, 120).mapToObj(i -> "{\"n\":" + i + "}").collect(Collectors.joining("\n")) + "\n";
        Answer answer = post("/api/batches", "application/x-ndjson", body);
        assertThat(answer.status()).isEqualTo(202);
        assertThat(count("SELECT count(*) FROM batch_items WHERE batch_id = ?", id(answer))).isEqualTo(120);
    }

    @Test
    void acceptsItemsBeforeTheOperationIsNamed() {
        Answer answer = postJson("/api/batches", "{\"items\":[{\"contentId\":\"c\",\"newPrice\":2}],\"operation\":\"content.update-price\"}");
        assertThat(answer.status()).isEqualTo(202);
        assertThat(count("SELECT count(*) FROM batch_items WHERE batch_id = ?", id(answer))).isEqualTo(1);
    }

    @Test
    void storesOptionsWithTheirDefaults() {
        Answer answer = postJson("/api/batches", "{\"operation\":\"noop\",\"options\":{\"timeoutSeconds\":60},\"items\":[{}]}");
        var batch = get("/api/batches/" + id(answer)).body();
        assertThat(batch.get("options").get("maxAttempts").asInt()).isEqualTo(5);
        assertThat(batch.get("options").get("continueOnError").asBoolean()).isTrue();
        assertThat(batch.get("options").get("timeoutSeconds").asInt()).isEqualTo(60);
        assertThat(batch.get("deadline").isNull()).isFalse();
    }

    @Test
    void seedPriceUpdateAnswersInTheSeedsShape() {
        Answer answer = postJson("/api/batches/batch-update-price",
                "{\"creator\":\"SP2ZNGJ85ENDY6QTHQ4P3KCQJRNYWB43HCUB7QY0J\",\"contentIds\":[\"c-1\",\"c-2\"],\"newPrice\":1000000}");
        assertThat(answer.status()).isEqualTo(201);
        assertThat(answer.body().get("message").asString()).isEqualTo("Batch price update initiated");
        assertThat(answer.body().get("status").asString()).isEqualTo("pending");
        assertThat(answer.body().get("totalItems").asInt()).isEqualTo(2);
        UUID id = id(answer);
        assertThat(jdbc.sql("SELECT operation FROM batches WHERE id = ?").param(id).query(String.class).single())
                .isEqualTo("content.update-price");
        var page = get("/api/batches/creator/SP2ZNGJ85ENDY6QTHQ4P3KCQJRNYWB43HCUB7QY0J").body();
        assertThat(page.get("data").get(0).get("batchId").asString()).isEqualTo(id.toString());
    }
}
