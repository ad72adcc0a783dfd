package io.batchline.api.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.status.BatchStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** batch_operations_total and batch_processing_duration_seconds count each batch ending once. */
class BatchEndingsIntegrationTests extends RealServicesTest {

    @Autowired
    MeterRegistry meters;

    @Autowired
    BatchEndings endings;

    private double ended(String operation, String status) {
        Counter counter = meters.find("batch.operations").tag("operation_type", operation).tag("status", status).counter();
        return counter == null ? 0 : counter.count();
    }

    private double endedAnyStatus(String operation) {
        return meters.find("batch.operations").tag("operation_type", operation).counters().stream().mapToDouble(Counter::count).sum();
    }

    /** A batch row straight in the database, under an operation name of its own, moved along {@code path}. */
    private void moveAlong(String operation, String... path) {
        UUID id = UUID.randomUUID();
        jdbc.sql("INSERT INTO batches (id, creator, operation, total, created_at) VALUES (?, 'endings-test', ?, 1, now() - interval '90 seconds')")
                .params(id, operation).update();
        for (String status : path) {
            BatchStatus target = BatchStatus.fromWireName(status);
            jdbc.sql("UPDATE batches SET status = ?, stop_status = CASE WHEN ? THEN ? ELSE stop_status END,"
                            + " completed_at = CASE WHEN ? THEN now() ELSE NULL END WHERE id = ?")
                    .params(status, target == BatchStatus.STOPPING, "cancelled", target.isTerminal(), id).update();
        }
    }

    @Test
    void everyTerminalStatusAndOnlyATerminalStatusIsCountedOnce() {
        String op = "endings.test." + UUID.randomUUID();
        moveAlong(op, "processing", "completed");
        moveAlong(op, "stopping", "failed");
        moveAlong(op, "processing", "stopping", "cancelled");
        moveAlong(op, "processing", "stopping", "timed_out");
        moveAlong(op, "processing", "stopping");           // not ended: not counted
        moveAlong(op, "processing", "completed", "processing", "completed"); // a retry round that ends again

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(ended(op, "completed")).isEqualTo(3);
            assertThat(ended(op, "failed")).isEqualTo(1);
            assertThat(ended(op, "cancelled")).isEqualTo(1);
            assertThat(ended(op, "timed_out")).isEqualTo(1);
        });
        for (BatchStatus status : BatchStatus.values()) {
            if (!status.isTerminal()) {
                assertThat(ended(op, status.wireName())).as(status.wireName()).isZero();
            }
        }
        Timer timer = meters.find("batch.processing.duration").tag("operation_type", op).timer();
        assertThat(timer.count()).isEqualTo(6);
        assertThat(timer.mean(java.util.concurrent.TimeUnit.SECONDS)).isBetween(89.0, 120.0);
        assertThat(count("SELECT count(*) FROM batch_endings WHERE operation = ?", op)).isZero();
    }

    @Test
    void endingsDrainedByManyInstancesAtOnceAreCountedExactlyOnce() throws Exception {
        String op = "endings.race." + UUID.randomUUID();
        int rows = 5000;
        jdbc.sql("INSERT INTO batch_endings (batch_id, operation, status, seconds) "
                + "SELECT gen_random_uuid(), ?, 'completed', 1 FROM generate_series(1, ?)").params(op, rows).update();

        // four "instances" drain at once, beside the scheduled drain of this one
        try (var pool = Executors.newFixedThreadPool(4)) {
            List<CompletableFuture<Integer>> drains = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                drains.add(CompletableFuture.supplyAsync(endings::drain, pool));
            }
            CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new)).get();
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ended(op, "completed")).isEqualTo(rows));
        assertThat(meters.find("batch.processing.duration").tag("operation_type", op).timer().count()).isEqualTo(rows);
    }

    /**
     * A cancel and the last result race for a one-item batch: whichever wins, the batch ends
     * once (completed or cancelled) and is counted once.
     */
    @Test
    void aStopRacingTheLastResultCountsTheBatchOnce() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        endings.drain();
        double before = endedAnyStatus("user.lookup");
        Instant start = Instant.now();
        List<UUID> batches = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            UUID batch = submitLookups(1, "{}");
            batches.add(batch);
            await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT dispatched FROM batches WHERE id = ?", batch) == 1);
            boolean cancelFirst = random.nextBoolean();
            try (var pool = Executors.newFixedThreadPool(2)) {
                CompletableFuture<Void> cancel = CompletableFuture.runAsync(() -> post("/api/batches/" + batch + "/cancel", null, null), pool);
                CompletableFuture<Void> result = CompletableFuture.runAsync(
                        () -> publishResults(ItemResult.succeeded(batch, 0, 0, 1, null)), pool);
                (cancelFirst ? cancel : result).get();
                (cancelFirst ? result : cancel).get();
            }
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (UUID batch : batches) {
                assertThat(BatchStatus.fromWireName(batch(batch).get("status").asString()).isTerminal())
                        .as("seed " + seed + ", batch " + batch).isTrue();
            }
        });
        // every user.lookup batch that ended meanwhile (ours, and any other) is counted once
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            int endedMeanwhile = jdbc.sql("SELECT count(*) FROM batches WHERE operation = 'user.lookup' AND completed_at >= :start")
                    .param("start", java.sql.Timestamp.from(start)).query(Integer.class).single();
            assertThat(endedAnyStatus("user.lookup") - before).as("seed " + seed).isEqualTo(endedMeanwhile);
        });
        assertThat(batches).allSatisfy(batch -> assertThat(count(
                "SELECT count(*) FROM batch_endings WHERE batch_id = ?", batch)).isZero());
    }

    @Test
    void theSeedsMetricNamesAreExported() {
        assertThat(meters.find("batch.operations").counters()).isNotEmpty();
        assertThat(meters.find("batch.processing.duration").timers()).isNotEmpty();
        assertThat(meters.find("batch.pending.operations").gauge()).isNotNull();
    }
}
