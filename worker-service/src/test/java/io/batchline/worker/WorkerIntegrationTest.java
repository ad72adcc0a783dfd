package io.batchline.worker;

import static org.awaitility.Awaitility.await;

import io.batchline.model.messaging.ItemHeaders;
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
        "worker.operations.noop.handler-timeout=1500ms",
        "worker.heartbeat.interval=200ms",
        // http.call against the test's own local servers: localhost on any port, 127.0.0.2 rate-limited; 127.0.0.1 is not listed
        "worker.http.allowed-hosts=localhost,127.0.0.2",
        "worker.http.request-timeout=1s",
        "worker.http.max-concurrent-per-host=3",
        "worker.http.rate-limits=127.0.0.2=4/1s",
        "worker.http.max-body-excerpt=64B",
        "worker.http.keep-headers=content-type,location,x-trace"})
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

    /**
     * The part of the API's {@code batches} table a worker reads (is a batch round stopping?).
     * The API's migrations own the real one; the worker's tests run without the API.
     */
    @org.junit.jupiter.api.BeforeAll
    static void batchesTable() throws Exception {
        try (var connection = TestServices.get().openConnection(); var statement = connection.createStatement()) {
            statement.execute("""
                    CREATE TABLE IF NOT EXISTS batches (id uuid PRIMARY KEY, round int NOT NULL DEFAULT 0,
                        status text NOT NULL, stop_status text, status_reason text)""");
        }
    }

    protected void publishItem(String operation, UUID batchId, int seq, int attempt, String body) {
        publishItem(operation, batchId, seq, attempt, attempt, body);
    }

    protected void publishItem(String operation, UUID batchId, int seq, int attempt, int maxAttempts, String body) {
        publishItem(operation, new ItemHeaders(batchId, seq, 0, attempt, maxAttempts, operation), body);
    }

    protected void publishItem(String operation, ItemHeaders item, String body) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType("application/json");
        properties.setMessageId(item.messageId());
        item.toMap().forEach(properties::setHeader);
        rabbit.send(Topology.ITEMS_EXCHANGE, operation, new Message(body.getBytes(), properties));
    }

    /** Asserts that no result of the batch arrives for a while (Awaitility's {@code during}). */
    protected void assertNoResults(UUID batchId, Duration during) {
        await().during(during).atMost(during.plusSeconds(5)).until(() -> awaitResultsNow(batchId).isEmpty());
    }

    private List<ItemResult> awaitResultsNow(UUID batchId) {
        drainResults();
        return RESULTS.getOrDefault(batchId, List.of());
    }

    private void drainResults() {
        Message message;
        while ((message = rabbit.receive(Topology.RESULTS_QUEUE)) != null) {
            for (ItemResult result : json.readValue(message.getBody(), ItemResults.class).results()) {
                RESULTS.computeIfAbsent(result.batchId(), id -> java.util.Collections.synchronizedList(new ArrayList<>())).add(result);
            }
        }
    }

    /** Waits for {@code expected} results of the batch and returns them ordered by seq, then attempt. */
    protected List<ItemResult> awaitResults(UUID batchId, int expected) {
        if (expected < 1) {
            throw new IllegalArgumentException("to check that nothing arrives, use assertNoResults");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> awaitResultsNow(batchId).size() >= expected);
        List<ItemResult> results = new ArrayList<>(RESULTS.getOrDefault(batchId, List.of()));
        results.sort(java.util.Comparator.comparingInt(ItemResult::seq).thenComparingInt(ItemResult::attempt));
        return results;
    }
}
