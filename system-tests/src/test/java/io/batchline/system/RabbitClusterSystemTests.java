package io.batchline.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The API and two workers on a three-node RabbitMQ cluster ({@code deploy/local/rabbit-cluster.sh},
 * {@code RABBITMQ_ADDRESSES}): the node leading a quorum queue is killed (kill -9) in the middle
 * of a batch and started again later; every item still ends once, counted once. Each quorum
 * queue has a member on every node, so another node takes over as leader with every message
 * it had confirmed.
 */
class RabbitClusterSystemTests {

    /** Items per batch: -Dcluster.items=N (100,000 fits in about two minutes on a quiet 2-core box). */
    private static final int ITEMS = Integer.getInteger("cluster.items", 100_000);
    private static final Duration BATCH_END = Duration.ofMinutes(5);

    private static RabbitCluster cluster;
    private static BatchlineStack stack;

    @BeforeAll
    static void startClusterAndStack() {
        cluster = new RabbitCluster().start();
        assertThat(cluster.runningNodes()).containsExactlyInAnyOrder(cluster.nodeName(1), cluster.nodeName(2), cluster.nodeName(3));
        Map<String, String> environment = new HashMap<>(cluster.serviceEnvironment());
        environment.put("BATCH_MAX_ITEMS", String.valueOf(ITEMS));
        environment.put("BATCH_MAX_BODY_BYTES", "16MB");
        environment.put("BATCH_DISPATCH_LEASE", "5s");
        environment.put("BATCH_DISPATCH_RECOVERY_INTERVAL", "1s");
        stack = new BatchlineStack(environment).startApi();
        stack.startWorker();
        stack.startWorker();
        stack.superviseWorkers();
    }

    @AfterAll
    static void stopEverything() {
        try {
            if (stack != null) {
                stack.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    void theLeaderOfTheItemQueueKilledMidBatchLosesNothing() {
        killTheLeaderMidBatch("batch.items.noop");
    }

    @Test
    void theLeaderOfTheResultQueueKilledMidBatchLosesNothing() {
        killTheLeaderMidBatch("batch.results");
    }

    private void killTheLeaderMidBatch(String queue) {
        stack.awaitAllHealthy();
        await().atMost(Duration.ofMinutes(2)).ignoreExceptions().until(() -> cluster.runningNodes().size() == 3);
        assertThat(cluster.membersOf(queue)).as("members of %s", queue).hasSize(3);

        UUID batch = stack.submit("noop", IntStream.range(0, ITEMS).mapToObj(i -> "{\"n\":" + i + "}").collect(Collectors.joining(",")));
        // ignoreExceptions: the machine's PostgreSQL is shared, and a poll may briefly find no free connection
        await().atMost(BATCH_END).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> succeeded(batch) >= ITEMS / 10);

        int leader = cluster.leaderOf(queue);
        cluster.killNode(leader);
        int succeededAtKill = succeeded(batch);
        // the batch goes on without the node: a new leader is elected among the other two
        await().atMost(BATCH_END).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> succeeded(batch) >= Math.min(ITEMS, succeededAtKill + ITEMS / 10));
        assertThat(cluster.leaderOf(queue)).as("leader of %s after the kill", queue).isNotEqualTo(leader);
        cluster.restartNode(leader);

        JsonNode done = stack.awaitEnd(batch, BATCH_END);
        assertThat(done.get("status").asString()).isEqualTo("completed");
        assertThat(done.get("counts").get("succeeded").asInt()).isEqualTo(ITEMS);
        assertThat(done.get("counts").get("failed").asInt()).isZero();
        stack.assertCountersEqualItemRows(batch);
        assertThat(stack.queryInt("SELECT count(*) FROM batch_items WHERE batch_id = ? AND status = 'succeeded'", batch))
                .isEqualTo(ITEMS);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (JsonNode q : cluster.queues()) {
                String name = q.get("name").asString();
                if (name.startsWith("batch.items.") || name.startsWith("batch.retry.") || name.equals("batch.results")
                        || name.startsWith("batch.dead.")) {
                    assertThat(q.path("messages_ready").asInt(0) + q.path("messages_unacknowledged").asInt(0))
                            .as("messages left in %s", name).isZero();
                }
            }
        });
        assertThat(cluster.membersOf(queue)).as("members of %s after the restart", queue).hasSize(3);
        // the restarted node has caught up and is a member again
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> cluster.onlineMembersOf(queue).size() == 3);
    }

    private static int succeeded(UUID batch) {
        return stack.queryInt("SELECT succeeded FROM batches WHERE id = ?", batch);
    }
}
