package io.batchline.worker.consumption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.model.messaging.Topology;
import io.batchline.worker.WorkerIntegrationTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;

class DeadLetterIntegrationTests extends WorkerIntegrationTest {

    @Test
    void messageThatNamesNoItemIsDeadLetteredWhereOperatorsCanSeeIt() {
        MessageProperties properties = new MessageProperties();
        properties.setMessageId("orphan-1");
        rabbit.send(Topology.ITEMS_EXCHANGE, "noop", new Message("{}".getBytes(), properties));

        Message dead = await().atMost(Duration.ofSeconds(30)).until(() -> rabbit.receive(Topology.deadQueue("noop")), m -> m != null);
        assertThat(dead.getMessageProperties().getMessageId()).isEqualTo("orphan-1");
    }
}
