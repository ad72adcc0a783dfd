package io.batchline.api.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.Topology;
import io.batchline.testing.TestServices;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A database outage longer than any delivery budget pauses the tracker and the dead-letter
 * recorder: nothing reaches a dead-letter queue, nothing is lost, every result is recorded
 * once the database is back. The outage is this run's own database refusing connections
 * (every open one terminated), so other tests and the machine's PostgreSQL are untouched.
 */
class TrackerOutageIntegrationTests extends RealServicesTest {

    /** Far longer than the old budget: 5 deliveries of batch.results with a 1 s pause each. */
    private static final Duration OUTAGE = Duration.ofSeconds(15);

    @Test
    void resultsArrivingDuringALongDatabaseOutageAreHeldAndRecordedAfterwards() throws Exception {
        UUID batch = submitLookups(200, "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> batch(batch).get("dispatchedItems").asInt() == 200);
        long deadBefore = messagesIn(Topology.RESULTS_DEAD_QUEUE);

        databaseRefusesConnections(true);
        try {
            for (int from = 0; from < 200; from += 10) {
                publishResults(IntStream.range(from, from + 10)
                        .mapToObj(seq -> ItemResult.succeeded(batch, seq, 0, 1, null)).toArray(ItemResult[]::new));
            }
            await().during(OUTAGE).atMost(OUTAGE.plusSeconds(10)).until(() ->
                    messagesIn(Topology.RESULTS_DEAD_QUEUE) == deadBefore);
        } finally {
            databaseRefusesConnections(false);
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(batch(batch).get("status").asString()).isEqualTo("completed"));
        assertThat(batch(batch).get("counts").get("succeeded").asInt()).isEqualTo(200);
        assertThat(messagesIn(Topology.RESULTS_DEAD_QUEUE)).isEqualTo(deadBefore);
        assertThat(messagesIn(Topology.RESULTS_QUEUE)).isZero();
        assertCountersEqualItemRows(batch);
    }

    @Test
    void itemTheBrokerDeadLettersDuringAnOutageIsRecordedAfterwards() throws Exception {
        UUID batch = submitLookups(1, "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> batch(batch).get("dispatchedItems").asInt() == 1);
        org.springframework.amqp.core.Message original = null;
        while (original == null || !batch.toString().equals(original.getMessageProperties().getHeaders().get(Topology.HEADER_BATCH_ID))) {
            original = rabbit.receive(Topology.itemQueue("user.lookup"), 5000);
            assertThat(original).isNotNull();
        }
        String isolation = Topology.isolationQueue("user.lookup");
        long unrecordedBefore = messagesIn(Topology.UNRECORDED_QUEUE);

        databaseRefusesConnections(true);
        try {
            rabbit.send("", isolation, original);
            rejectUntilDeadLettered(isolation, Topology.deadQueue("user.lookup"));
            await().during(OUTAGE).atMost(OUTAGE.plusSeconds(10)).until(() ->
                    messagesIn(Topology.UNRECORDED_QUEUE) == unrecordedBefore);
        } finally {
            databaseRefusesConnections(false);
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(batch(batch).get("status").asString()).isEqualTo("completed"));
        assertThat(batch(batch).get("counts").get("failed").asInt()).isEqualTo(1);
        assertThat(messagesIn(Topology.UNRECORDED_QUEUE)).isEqualTo(unrecordedBefore);
        assertCountersEqualItemRows(batch);
    }

    /** This run's database stops (or starts again) accepting connections; open ones are cut. */
    private static void databaseRefusesConnections(boolean refuse) throws SQLException {
        TestServices.Postgres postgres = TestServices.get().postgres();
        String maintenance = "jdbc:postgresql://" + postgres.host() + ":" + postgres.port() + "/postgres";
        try (Connection connection = DriverManager.getConnection(maintenance, postgres.username(), postgres.password());
             Statement statement = connection.createStatement()) {
            statement.execute("ALTER DATABASE \"" + postgres.database() + "\" ALLOW_CONNECTIONS " + !refuse);
            if (refuse) {
                statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                        + postgres.database() + "' AND pid <> pg_backend_pid()");
            }
        }
    }
}
