package io.batchline.worker;

import static org.awaitility.Awaitility.await;

import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.ItemResults;
import io.batchline.model.messaging.Topology;
import io.batchline.testing.TestServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Base of the worker's integration tests: the worker application against this run's own
 * vhost and database. There is no tracker here, so a test publishes item messages the way
 * the dispatcher does and reads the worker's results straight off {@code batch.results}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "worker.users.bcrypt-strength=4",
        "worker.operations.noop.handler-timeout=1500ms"})
public abstract class WorkerIntegrationTest {

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        TestServices.get().springProperties().forEach((key, value) -> registry.add(key, () -> value));
    }

    /** Results read off the queue so far, by batch; shared because every test drains the same queue. */
    private static final Map<UUID, List<ItemResult>> RESULTS = new ConcurrentHashMap<>();

    @Autowired
    protected RabbitTemplate rabbit;

    @Autowired
    protected JdbcClient jdbc;

    @Autowired
    protected JsonMapper json;

    protected void publishItem(String operation, UUID batchId, int seq, int attempt, String body) {
        publishItem(operation, batchId, seq, attempt, attempt, body);
    }

    protected void publishItem(String operation, UUID batchId, int seq, int attempt, int maxAttempts, String body) {
        MessageProperties properties = new MessageProperties();
        properties.setHeader(Topology.HEADER_MAX_ATTEMPTS, maxAttempts);
        properties.setContentType("application/json");
        properties.setHeader(Topology.HEADER_BATCH_ID, batchId.toString());
        properties.setHeader(Topology.HEADER_ITEM_SEQ, seq);
        properties.setHeader(Topology.HEADER_ATTEMPT, attempt);
        properties.setMessageId(Topology.messageId(batchId, seq, attempt));
        rabbit.send(Topology.ITEMS_EXCHANGE, operation, new Message(body.getBytes(), properties));
    }

    /** Waits for {@code expected} results of the batch and returns them ordered by seq, then attempt. */
    protected List<ItemResult> awaitResults(UUID batchId, int expected) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Message message;
            while ((message = rabbit.receive(Topology.RESULTS_QUEUE)) != null) {
                for (ItemResult result : json.readValue(message.getBody(), ItemResults.class).results()) {
                    RESULTS.computeIfAbsent(result.batchId(), id -> java.util.Collections.synchronizedList(new ArrayList<>())).add(result);
                }
            }
            return RESULTS.getOrDefault(batchId, List.of()).size() >= expected;
        });
        List<ItemResult> results = new ArrayList<>(RESULTS.getOrDefault(batchId, List.of()));
        results.sort(java.util.Comparator.comparingInt(ItemResult::seq).thenComparingInt(ItemResult::attempt));
        return results;
    }
}
