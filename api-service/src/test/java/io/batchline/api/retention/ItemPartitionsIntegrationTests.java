package io.batchline.api.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class ItemPartitionsIntegrationTests extends RealServicesTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Autowired
    ItemPartitions partitions;

    @Autowired
    RetentionJob job;

    @Autowired
    MeterRegistry meters;

    /** A UUIDv7 made at {@code at}, as TimeOrderedIds makes one at the present. */
    static UUID idAt(Instant at) {
        long high = (at.toEpochMilli() << 16) | 0x7000L | (RANDOM.nextInt() & 0x0FFFL);
        long low = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low);
    }

    static String partitionOf(LocalDate day) {
        return "batch_items_" + day.format(DateTimeFormatter.BASIC_ISO_DATE);
    }

    private boolean attached(String name) {
        return count("SELECT count(*) FROM pg_inherits WHERE inhparent = 'batch_items'::regclass AND inhrelid::regclass::text = ?",
                name) == 1;
    }

    private String partitionHolding(UUID batch) {
        return jdbc.sql("SELECT DISTINCT tableoid::regclass::text FROM batch_items WHERE batch_id = ?").param(batch)
                .query(String.class).single();
    }

    private double removed(String kind) {
        return meters.find("batchline.retention.removed").tag("kind", kind).counter().count();
    }

    private void insertBatch(UUID id, String status, Instant createdAt, Instant completedAt, int items) {
        jdbc.sql("INSERT INTO batches (id, creator, operation, total, status, created_at, completed_at) VALUES (?, 'admin', 'noop', ?, ?, ?, ?)")
                .params(id, items, status, java.sql.Timestamp.from(createdAt),
                        completedAt == null ? null : java.sql.Timestamp.from(completedAt))
                .update();
        jdbc.sql("INSERT INTO batch_items (batch_id, seq, payload, status) SELECT ?, g, '{}', ? FROM generate_series(0, ? - 1) g")
                .params(id, "processing".equals(status) ? "pending" : "succeeded", items).update();
    }

    @Test
    void theApiMakesTodaysPartitionAndTheNextWeeksAtStartUp() {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        for (int day = 0; day <= 7; day++) {
            assertThat(attached(partitionOf(today.plusDays(day)))).as("day +" + day).isTrue();
        }
    }

    @Test
    void twoInstancesMakingTheSameDaysAtOnceMakeEachDayOnce() throws Exception {
        // days no other test touches: the run makes the day itself and the 7 after it
        LocalDate today = LocalDate.of(2031, 3, 10);
        CyclicBarrier together = new CyclicBarrier(2);
        List<CompletableFuture<Integer>> runs = List.of(1, 2).stream()
                .map(n -> CompletableFuture.supplyAsync(() -> {
                    try {
                        together.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return partitions.createAhead(today);
                }))
                .toList();

        int made = 0;
        for (CompletableFuture<Integer> run : runs) {
            made += run.get();
        }

        assertThat(made).isEqualTo(8);
        assertThat(count("SELECT count(*) FROM batch_items_partitions WHERE day BETWEEN ? AND ?",
                today.minusDays(1), today.plusDays(8))).isEqualTo(8);
        for (LocalDate day = today; !day.isAfter(today.plusDays(7)); day = day.plusDays(1)) {
            assertThat(attached(partitionOf(day))).as(day.toString()).isTrue();
        }
        assertThat(partitions.createAhead(today)).isZero();
    }

    @Test
    void aNewBatchLandsInTodaysPartitionAndAnIdNoDayCoversInTheDefaultOne() {
        UUID submitted = submitLookups(3, "{}");
        assertThat(partitionHolding(submitted)).isEqualTo(partitionOf(LocalDate.now(ZoneOffset.UTC)));

        UUID notTimeOrdered = UUID.randomUUID();
        jdbc.sql("INSERT INTO batch_items (batch_id, seq, payload) VALUES (?, 0, '{}')").params(notTimeOrdered).update();
        assertThat(partitionHolding(notTimeOrdered)).isEqualTo("batch_items_default");

        UUID tooFarAhead = idAt(Instant.now().plus(Duration.ofDays(400)));
        jdbc.sql("INSERT INTO batch_items (batch_id, seq, payload) VALUES (?, 0, '{}')").params(tooFarAhead).update();
        assertThat(partitionHolding(tooFarAhead)).isEqualTo("batch_items_default");

        // the partition's CHECK and the status guard hold in every partition
        jdbc.sql("UPDATE batch_items SET status = 'succeeded' WHERE batch_id = ?").params(notTimeOrdered).update();
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                jdbc.sql("UPDATE batch_items SET status = 'pending' WHERE batch_id = ?").params(notTimeOrdered).update())
                .hasMessageContaining("illegal item status move");
    }

    @Test
    void retentionDropsTheDayWhoseBatchesAreAllGoneAndKeepsTheDayWithARunningBatch() {
        Instant now = Instant.now();
        LocalDate ended = LocalDate.now(ZoneOffset.UTC).minusDays(45);
        LocalDate running = ended.plusDays(1);
        assertThat(partitions.ensure(ended)).isTrue();
        assertThat(partitions.ensure(running)).isTrue();
        Instant endedDay = ended.atTime(12, 0).toInstant(ZoneOffset.UTC);
        UUID old = idAt(endedDay);
        UUID older = idAt(endedDay.minus(Duration.ofHours(3)));
        UUID stillRunning = idAt(running.atTime(12, 0).toInstant(ZoneOffset.UTC));
        insertBatch(old, "completed", endedDay, endedDay.plus(Duration.ofHours(1)), 3);
        insertBatch(older, "completed", endedDay.minus(Duration.ofHours(3)), endedDay, 4);
        insertBatch(stillRunning, "processing", running.atTime(12, 0).toInstant(ZoneOffset.UTC), null, 2);
        assertThat(partitionHolding(old)).isEqualTo(partitionOf(ended));
        assertThat(partitionHolding(stillRunning)).isEqualTo(partitionOf(running));
        double partitionsBefore = removed("partitions");
        double itemsBefore = removed("items");

        job.run(now.minus(Duration.ofDays(30)));

        // the scheduled run of this instance may have got there first: the end state is what counts
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(attached(partitionOf(ended))).isFalse();
            assertThat(count("SELECT count(*) FROM pg_class WHERE relname = ?", partitionOf(ended))).isZero();
        });
        assertThat(count("SELECT count(*) FROM batch_items_partitions WHERE day = ?", ended)).isZero();
        assertThat(count("SELECT count(*) FROM batches WHERE id IN (?, ?)", old, older)).isZero();
        assertThat(count("SELECT count(*) FROM removed_batch_items WHERE batch_id IN (?, ?)", old, older)).isZero();
        assertThat(count("SELECT count(*) FROM batch_items WHERE batch_id IN (?, ?)", old, older)).isZero();
        assertThat(removed("partitions") - partitionsBefore).isEqualTo(1);
        // at least: the scheduled run may delete leftovers of other test classes row by row meanwhile
        assertThat(removed("items") - itemsBefore).isGreaterThanOrEqualTo(7);

        assertThat(attached(partitionOf(running))).isTrue();
        assertThat(count("SELECT count(*) FROM batch_items WHERE batch_id = ?", stillRunning)).isEqualTo(2);
        assertThat(get("/api/batches/" + stillRunning).status()).isEqualTo(200);
    }
}
