package io.batchline.api.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.batchline.testing.TestServices;
import java.net.InetSocketAddress;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two API instances' callback senders on one outbox: every callback is sent exactly once,
 * even when a run's claimed rows take longer to send than the claim lasts. A database of its
 * own, so the senders of the other tests' application contexts (which share this JVM's
 * database) never take these rows.
 */
class CallbackClaimIntegrationTests {

    private static final String DATABASE = TestServices.get().postgres().database() + "_claims";
    /** Each callback takes the receiver this long; six of them outlast one claim. */
    private static final Duration ANSWER_TIME = Duration.ofSeconds(1);
    private static final Duration CLAIM = Duration.ofSeconds(6);

    private static DriverManagerDataSource dataSource;
    private static HttpServer receiver;
    private static final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    private static final ScheduledExecutorService answers = Executors.newScheduledThreadPool(2);

    @BeforeAll
    static void ownDatabaseAndSlowReceiver() throws Exception {
        TestServices.Postgres postgres = TestServices.get().postgres();
        try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
             Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            statement.execute("CREATE DATABASE " + DATABASE);
        }
        String url = "jdbc:postgresql://" + postgres.host() + ":" + postgres.port() + "/" + DATABASE;
        dataSource = new DriverManagerDataSource(url, postgres.username(), postgres.password());
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();

        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        receiver.setExecutor(Executors.newFixedThreadPool(4));
        // a slow receiver: each callback is answered ANSWER_TIME after it arrived (from a scheduler,
        // so no thread waits), which makes a run of 20 sends outlast the claim
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            received.computeIfAbsent(exchange.getRequestHeaders().getFirst("X-Batch-Id"), id -> new AtomicInteger())
                    .incrementAndGet();
            answers.schedule(() -> {
                try (exchange) {
                    exchange.sendResponseHeaders(204, -1);
                } catch (java.io.IOException e) {
                    // the sender gave up on this one; its retry is what the test counts
                }
            }, ANSWER_TIME.toMillis(), TimeUnit.MILLISECONDS);
        });
        receiver.start();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (receiver != null) {
            receiver.stop(0);
        }
        TestServices.Postgres postgres = TestServices.get().postgres();
        try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
             Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        }
    }

    @Test
    void twoInstancesSendEveryCallbackOnceThoughOneRunsClaimsOutlastTheClaim() throws Exception {
        JdbcClient jdbc = JdbcClient.create(dataSource);
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        jdbc.sql("INSERT INTO tenants (id, signing_secret) VALUES ('claims', 'secret-0123456789')").update();
        List<UUID> batches = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            UUID id = UUID.randomUUID();
            batches.add(id);
            jdbc.sql("""
                    INSERT INTO batches (id, creator, operation, status, total, succeeded, completed_at)
                    VALUES (:id, 'claims', 'noop', 'completed', 1, 1, now())
                    """).param("id", id).update();
            jdbc.sql("INSERT INTO callback_outbox (batch_id, url, tenant) VALUES (:id, :url, 'claims')")
                    .param("id", id).param("url", hook).update();
        }

        CallbackSettings settings = new CallbackSettings(Duration.ofMillis(200), Duration.ofHours(1), Duration.ofMillis(200), CLAIM);
        OutboundPolicy policy = new OutboundPolicy(new CallbackSettings.Outbound(List.of("127.0.0.1")));
        JsonMapper json = JsonMapper.builder().build();
        // two instances polling the same outbox, as two API processes' schedulers do
        ScheduledExecutorService instances = Executors.newScheduledThreadPool(2);
        try {
            for (int i = 0; i < 2; i++) {
                CallbackSender sender = new CallbackSender(jdbc, json, policy, settings);
                instances.scheduleWithFixedDelay(sender::sendDue, 0, 200, TimeUnit.MILLISECONDS);
            }
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() ->
                    jdbc.sql("SELECT count(*) FROM callback_outbox WHERE delivered_at IS NULL").query(Integer.class).single() == 0);
            // no late duplicate either, while both instances keep polling for a claim's length
            await().during(CLAIM).atMost(CLAIM.plusSeconds(10)).pollInterval(Duration.ofMillis(500))
                    .until(() -> received.values().stream().allMatch(count -> count.get() == 1));
        } finally {
            instances.shutdownNow();
            instances.awaitTermination(20, TimeUnit.SECONDS);
        }

        for (UUID batch : batches) {
            assertThat(received.get(batch.toString())).as("callbacks of batch %s", batch).isNotNull();
            assertThat(received.get(batch.toString()).get()).as("callbacks of batch %s", batch).isEqualTo(1);
        }
        assertThat(jdbc.sql("SELECT count(*) FROM callback_attempts").query(Integer.class).single()).isEqualTo(12);
        assertThat(jdbc.sql("SELECT max(attempts) FROM callback_outbox").query(Integer.class).single()).isEqualTo(1);
    }
}
