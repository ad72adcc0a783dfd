package io.batchline.api.retention;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The day partitions of {@code batch_items} (V16): made ahead, dropped whole once retention
 * has removed every batch of their day. Any instance may run either, at any time: both take
 * one advisory lock, so two instances take turns, and making a day that exists does nothing.
 * Each day is its own transaction with a short lock timeout; a day that cannot get its
 * locks now (a long submission's COPY holds the table) is tried again on the next run.
 */
@Component
class ItemPartitions {

    private static final Logger log = LoggerFactory.getLogger(ItemPartitions.class);

    static final String LOCK_TIMEOUT = "SELECT set_config('lock_timeout', :timeout, true)";
    /** One key for making and dropping partitions, held to the end of the transaction. */
    static final String TAKE_TURN = "SELECT pg_advisory_xact_lock(hashtext('batch_items_partitions'))";
    static final String ADD = "SELECT add_batch_items_partition(CAST(:day AS date))";
    /** Partitions whose whole day lies before the cutoff: every batch of theirs may have been removed. */
    static final String PAST_CUTOFF = """
            SELECT day, name, from_id, to_id FROM batch_items_partitions
             WHERE to_id <= batch_items_id_at(:cutoff)
             ORDER BY day
            """;
    /**
     * The parent first, as the drop itself would lock them: nothing reads or writes the day
     * while the check below runs, and a submission of the day that is still writing has
     * committed (its batch row is then seen) or not started.
     */
    static final String LOCK_TABLES = "LOCK TABLE ONLY batch_items, {PARTITION} IN ACCESS EXCLUSIVE MODE";
    /** A batch row of the day still exists: ended less than BATCH_RETENTION ago, or still running. */
    static final String DAY_IN_USE = "SELECT EXISTS (SELECT 1 FROM batches WHERE id >= :from AND id < :to)";
    static final String DROP = "DROP TABLE {PARTITION}";
    /** Forgets the day and its removed batches; returns how many item rows went with the partition. */
    static final String FORGET = """
            WITH part AS (DELETE FROM batch_items_partitions WHERE day = :day),
                 gone AS (DELETE FROM removed_batch_items WHERE batch_id >= :from AND batch_id < :to
                          RETURNING awaits_partition, items)
            SELECT coalesce(sum(items) FILTER (WHERE awaits_partition), 0) FROM gone
            """;

    /** What one drop run did. */
    record Dropped(int partitions, long items) {
    }

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final PartitionSettings settings;

    ItemPartitions(JdbcClient jdbc, TransactionTemplate transaction, PartitionSettings settings) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.settings = settings;
    }

    /** At start-up and then every {@code BATCH_PARTITIONS_INTERVAL}. */
    @Scheduled(fixedDelayString = "${batch.partitions.interval:1h}")
    void runOnSchedule() {
        int added = createAhead(LocalDate.now(ZoneOffset.UTC));
        if (added > 0) {
            log.info("Added {} batch_items partitions", added);
        }
    }

    /**
     * Makes the partitions of {@code today} and the next {@code daysAhead} days; returns how
     * many it made. Never a past day: with a retention shorter than a day, yesterday's
     * partition may just have been dropped.
     */
    int createAhead(LocalDate today) {
        int added = 0;
        for (LocalDate day = today; !day.isAfter(today.plusDays(settings.daysAhead())); day = day.plusDays(1)) {
            if (ensure(day)) {
                added++;
            }
        }
        return added;
    }

    /** Makes the partition of one day unless it exists; false if it existed or could not be made now. */
    boolean ensure(LocalDate day) {
        try {
            return Boolean.TRUE.equals(transaction.execute(tx -> {
                turn();
                return jdbc.sql(ADD).param("day", day.toString()).query(Boolean.class).single();
            }));
        } catch (DataAccessException e) {
            // a lock timeout, or rows of that day already in the default partition (which keeps them)
            log.warn("Could not add the batch_items partition of {}: {}", day, e.getMostSpecificCause().getMessage());
            return false;
        }
    }

    /**
     * Drops the partitions whose day ended before {@code cutoff} and that no batch row names
     * any more (retention removed them all); a partition holding a batch that is still
     * running, or ended less than the retention ago, stays.
     */
    Dropped dropExpired(Instant cutoff, long deadlineNanos) {
        record Day(LocalDate day, String name, UUID from, UUID to) {
        }
        List<Day> days = jdbc.sql(PAST_CUTOFF).param("cutoff", java.sql.Timestamp.from(cutoff))
                .query((rs, n) -> new Day(rs.getObject(1, LocalDate.class), rs.getString(2),
                        rs.getObject(3, UUID.class), rs.getObject(4, UUID.class)))
                .list();
        int partitions = 0;
        long items = 0;
        for (Day day : days) {
            if (System.nanoTime() > deadlineNanos) {
                break;
            }
            try {
                Long dropped = transaction.execute(tx -> {
                    turn();
                    String partition = quoted(day.name());
                    jdbc.sql(LOCK_TABLES.replace("{PARTITION}", partition)).update();
                    if (jdbc.sql(DAY_IN_USE).param("from", day.from()).param("to", day.to()).query(Boolean.class).single()) {
                        return null;
                    }
                    jdbc.sql(DROP.replace("{PARTITION}", partition)).update();
                    return jdbc.sql(FORGET).param("day", day.day()).param("from", day.from()).param("to", day.to())
                            .query(Long.class).single();
                });
                if (dropped != null) {
                    partitions++;
                    items += dropped;
                    log.info("Dropped batch_items partition {} ({} items of removed batches)", day.name(), dropped);
                }
            } catch (DataAccessException e) {
                log.warn("Could not drop batch_items partition {} now: {}", day.name(), e.getMostSpecificCause().getMessage());
            }
        }
        return new Dropped(partitions, items);
    }

    /** Waits for another instance's day (short), then bounds the waits for the table locks. */
    private void turn() {
        jdbc.sql(TAKE_TURN).query((rs, n) -> 1).list();
        jdbc.sql(LOCK_TIMEOUT).param("timeout", settings.lockTimeout().toMillis() + "ms").query(String.class).single();
    }

    /** The names come from batch_items_partitions (batch_items_YYYYMMDD); quoted all the same. */
    private static String quoted(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
