package io.batchline.api.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemActivity;
import io.batchline.model.messaging.ItemHeaders;
import io.batchline.model.messaging.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The dispatcher packs consecutive items of a batch into one message when the batch is
 * large enough: every item goes out exactly once, in order, with its own payload; and a
 * pack the broker dead-letters (it kept killing its workers) is recorded item by item.
 */
class ItemPackIntegrationTests extends RealServicesTest {

    private static final String QUEUE = Topology.itemQueue("user.lookup");

    @DynamicPropertySource
    static void packs(DynamicPropertyRegistry registry) {
        registry.add("batch.dispatch.pack", () -> "10");
    }

    /** The messages of this batch on the lookup queue (no worker consumes it here); others' are dropped. */
    private List<Message> take(UUID batch) {
        List<Message> mine = new ArrayList<>();
        Message message;
        while ((message = rabbit.receive(QUEUE, 300)) != null) {
            if (batch.toString().equals(message.getMessageProperties().getHeaders().get(Topology.HEADER_BATCH_ID))) {
                mine.add(message);
            }
        }
        return mine;
    }

    private UUID dispatched(int items) {
        UUID batch = submitLookups(items, "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> batch(batch).get("dispatchedItems").asInt() == items);
        return batch;
    }

    @Test
    void everyItemGoesOutOnceInOrderWithItsOwnPayload() {
        UUID batch = dispatched(200);

        List<Message> messages = take(batch);
        TreeMap<Integer, String> emails = new TreeMap<>();
        List<Integer> order = new ArrayList<>();
        for (Message message : messages) {
            List<ItemHeaders> items = ItemHeaders.readAll(message.getMessageProperties().getHeaders());
            JsonNode body = json.readTree(message.getBody());
            assertThat(body.isArray()).as("a pack's body is the array of its payloads").isTrue();
            assertThat(body.size()).isEqualTo(items.size());
            assertThat(items.size()).isBetween(2, 10);
            for (int i = 0; i < items.size(); i++) {
                assertThat(emails.put(items.get(i).seq(), body.get(i).get("email").asString())).as("published once").isNull();
                order.add(items.get(i).seq());
                assertThat(items.get(i).attempt()).isEqualTo(1);
            }
        }
        assertThat(order).as("in seq order").isSorted().hasSize(200);
        emails.forEach((seq, email) -> assertThat(email).isEqualTo("u" + seq + "@x.io"));
        assertThat(messages.size()).as("packed: far fewer messages than items").isLessThanOrEqualTo(200 / 2);
    }

    @Test
    void aSmallBatchKeepsOneItemPerMessage() {
        UUID batch = dispatched(20);

        List<Message> messages = take(batch);

        assertThat(messages).hasSize(20).allSatisfy(m ->
                assertThat(ItemHeaders.isPack(m.getMessageProperties().getHeaders())).isFalse());
    }

    @Test
    void aPackTheBrokerDeadLettersIsRecordedFailedItemByItem() {
        UUID batch = dispatched(200);
        List<Message> messages = take(batch);
        Message pack = messages.get(3);
        List<Integer> seqs = ItemHeaders.readAll(pack.getMessageProperties().getHeaders()).stream().map(ItemHeaders::seq).toList();
        assertThat(seqs).hasSizeGreaterThan(1);
        // put that one pack back, then crash on it until the quorum queue's delivery limit dead-letters it
        MessageProperties properties = new MessageProperties();
        pack.getMessageProperties().getHeaders().forEach(properties::setHeader);
        properties.setContentType("application/json");
        rabbit.send(Topology.ITEMS_EXCHANGE, "user.lookup", new Message(pack.getBody(), properties));
        rejectUntilDeadLettered(QUEUE, Topology.deadQueue("user.lookup"));

        await().atMost(Duration.ofSeconds(20)).until(() -> batch(batch).get("counts").get("failed").asInt() == seqs.size());
        List<Integer> failed = jdbc.sql("SELECT seq FROM batch_items WHERE batch_id = ? AND status = 'failed' AND error_code = ? ORDER BY seq")
                .param(batch).param(ItemActivity.CRASHED_CODE).query(Integer.class).list();
        assertThat(failed).isEqualTo(seqs);
        assertThat(batch(batch).get("counts").get("pending").asInt()).isEqualTo(200 - seqs.size());
        assertCountersEqualItemRows(batch);
    }
}
