package io.batchline.model.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;

class DeathsTests {

    private static MessageProperties diedIn(String... queues) {
        MessageProperties properties = new MessageProperties();
        properties.setHeader("x-death", java.util.Arrays.stream(queues)
                .map(q -> Map.of("queue", q, "reason", q.equals(Topology.DEAD_RECORDER_QUEUE) ? "rejected" : "delivery_limit"))
                .toList());
        return properties;
    }

    @Test
    void theItemsDeathIsTheNewestOneOutsideTheRecordersQueue() {
        assertThat(Deaths.of(diedIn(Topology.DEAD_RECORDER_QUEUE, "batch.items.noop.isolation")))
                .contains(new Deaths.Death("delivery_limit", "batch.items.noop.isolation"));
        assertThat(Deaths.of(diedIn(Topology.DEAD_RECORDER_QUEUE))).as("a worker's own dead letter").isEmpty();
        assertThat(Deaths.of(new MessageProperties())).isEmpty();
    }

    @Test
    void aFreshCopyKeepsTheItemsDeathButNotTheBrokersBookkeeping() {
        MessageProperties properties = diedIn("batch.items.noop.isolation");
        properties.setHeader("x-delivery-count", 3);
        properties.setHeader(Topology.HEADER_BATCH_ID, "b");
        properties.setMessageId("b:1:2");
        Message copy = Deaths.freshCopy(new Message("{}".getBytes(), properties));

        assertThat(copy.getMessageProperties().getHeaders()).doesNotContainKeys("x-death", "x-delivery-count")
                .containsEntry(Topology.HEADER_BATCH_ID, "b")
                .containsEntry(Topology.HEADER_DEATH, "delivery_limit batch.items.noop.isolation");
        assertThat(copy.getMessageProperties().getMessageId()).isEqualTo("b:1:2");
        assertThat(Deaths.of(copy.getMessageProperties())).contains(new Deaths.Death("delivery_limit", "batch.items.noop.isolation"));
        assertThat(Deaths.freshCopy(copy).getMessageProperties().getHeaders())
                .containsEntry(Topology.HEADER_DEATH, "delivery_limit batch.items.noop.isolation");
    }
}
