package io.batchline.api.retention;

import io.batchline.api.support.StatusSql;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Removes ended batches in two steps. First, in one short transaction, the batch rows and
 * every row that names them (callback outbox and attempts, idempotency keys, audit entries)
 * go, and the ids are remembered in {@code removed_batch_items}: from then on no endpoint
 * can see the batch or its items. Then its item rows, possibly millions, are deleted a
 * bounded number per statement through the primary key. The batch rows are locked
 * ({@code FOR UPDATE SKIP LOCKED}) and the items' batch is claimed the same way, so several
 * instances never work on the same rows, and a retry round that comes in at the same
 * moment either wins (the batch is no longer ended and stays) or finds it gone.
 */
@Component
class BatchRemoval {

    /** The removal of some batch rows and of what names them; {@code :ids} picks them. */
    private static final String REMOVE = """
            gone AS (DELETE FROM batches b USING doomed d WHERE b.id = d.id RETURNING b.id, b.total),
            pending AS (INSERT INTO removed_batch_items (batch_id, items, awaits_partition)
                        SELECT g.id, g.total, {AWAITS_PARTITION} FROM gone g ON CONFLICT DO NOTHING),
            outbox AS (DELETE FROM callback_outbox WHERE batch_id IN (SELECT id FROM gone)),
            attempts AS (DELETE FROM callback_attempts WHERE batch_id IN (SELECT id FROM gone)),
            keys AS (DELETE FROM idempotency_keys WHERE batch_id IN (SELECT id FROM gone)),
            audit AS (DELETE FROM audit_log WHERE target IN (SELECT id::text FROM gone))
            SELECT count(*) FROM gone
            """;
    /**
     * An expired batch whose day partition began before the cutoff leaves its items to the
     * drop of that partition ({@link ItemPartitions}), due as soon as the day's last batch
     * is removed. Any other batch's items go row by row: the default partition's, and those
     * of a day not yet past retention (which holds batches for weeks to come).
     */
    private static final String AWAITS_PARTITION = """
            EXISTS (SELECT 1 FROM batch_items_partitions p
                     WHERE g.id >= p.from_id AND g.id < p.to_id AND p.from_id < batch_items_id_at(:cutoff))""";
    static final String REMOVE_EXPIRED = StatusSql.render("""
            WITH doomed AS (
                SELECT id FROM batches
                 WHERE status IN ({TERMINAL}) AND completed_at < :cutoff
                 ORDER BY completed_at LIMIT :limit
                 FOR UPDATE SKIP LOCKED),
            """) + REMOVE.replace("{AWAITS_PARTITION}", AWAITS_PARTITION);
    static final String REMOVE_ONE = StatusSql.render("""
            WITH doomed AS (SELECT id FROM batches WHERE id = :id AND status IN ({TERMINAL}) FOR UPDATE),
            """) + REMOVE.replace("{AWAITS_PARTITION}", "false");
    /** One removed batch whose items are left, claimed so that two instances take different ones. */
    static final String CLAIM_ITEMS = """
            SELECT batch_id FROM removed_batch_items WHERE NOT awaits_partition
             ORDER BY removed_at LIMIT 1 FOR UPDATE SKIP LOCKED
            """;
    static final String DELETE_ITEMS = """
            DELETE FROM batch_items
             WHERE batch_id = :id
               AND seq IN (SELECT seq FROM batch_items WHERE batch_id = :id ORDER BY seq LIMIT :limit)
            """;
    /**
     * The batch is gone for good. A callback attempt its sender recorded while the batch was
     * being removed (the sender runs outside the removal's transaction) goes with it.
     */
    static final String ITEMS_DONE = """
            WITH stragglers AS (DELETE FROM callback_attempts WHERE batch_id = :id)
            DELETE FROM removed_batch_items WHERE batch_id = :id
            """;

    private final JdbcClient jdbc;
    private final Counter batchesRemoved;
    private final Counter itemsRemoved;
    private final Counter partitionsRemoved;

    BatchRemoval(JdbcClient jdbc, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.batchesRemoved = Counter.builder("batchline.retention.removed").tag("kind", "batches")
                .description("rows removed by retention and admin deletes").register(meters);
        this.itemsRemoved = Counter.builder("batchline.retention.removed").tag("kind", "items")
                .description("rows removed by retention and admin deletes").register(meters);
        this.partitionsRemoved = Counter.builder("batchline.retention.removed").tag("kind", "partitions")
                .description("rows removed by retention and admin deletes").register(meters);
    }

    /** Counts what a committed transaction removed ({@code batchline_retention_removed_total{kind}}). */
    void counted(int batches, int items) {
        batchesRemoved.increment(batches);
        itemsRemoved.increment(items);
    }

    /** Counts the day partitions of batch_items a committed transaction dropped, and their items. */
    void countedPartitions(int partitions, long items) {
        partitionsRemoved.increment(partitions);
        itemsRemoved.increment(items);
    }

    /** Removes up to {@code limit} batches that ended before {@code cutoff}; call inside a transaction. */
    int removeExpired(Instant cutoff, int limit) {
        return jdbc.sql(REMOVE_EXPIRED).param("cutoff", java.sql.Timestamp.from(cutoff)).param("limit", limit)
                .query(Integer.class).single();
    }

    /** Removes one batch if it has ended; call inside a transaction. */
    boolean removeOne(UUID id) {
        return jdbc.sql(REMOVE_ONE).param("id", id).query(Integer.class).single() == 1;
    }

    /**
     * Deletes up to {@code limit} item rows of one removed batch; call inside a transaction.
     * Returns how many went, or -1 when no removed batch has items left to delete.
     */
    int deleteSomeItems(int limit) {
        UUID id = jdbc.sql(CLAIM_ITEMS).query(UUID.class).optional().orElse(null);
        if (id == null) {
            return -1;
        }
        int deleted = jdbc.sql(DELETE_ITEMS).param("id", id).param("limit", limit).update();
        if (deleted < limit) {
            jdbc.sql(ITEMS_DONE).param("id", id).update();
        }
        return deleted;
    }
}
