package io.batchline.api.retention;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Removes batches that ended more than {@code BATCH_RETENTION} ago, a chunk per transaction,
 * then drops the day partitions of batch_items none of whose batches is left, then the item
 * rows of removed batches that are not left to such a drop (also those an admin deleted), a bounded statement
 * per transaction. Any instance may run it; the row claims in {@link BatchRemoval} keep two
 * from touching the same rows. One run stops after {@code runBudget}, because the API's
 * scheduled duties share one scheduler thread; the next run carries on.
 */
@Component
class RetentionJob {

    private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);

    /** What one run removed. */
    record Removed(int batches, long items, int partitions) {
    }

    private final BatchRemoval removal;
    private final ItemPartitions partitions;
    private final RetentionSettings settings;
    private final TransactionTemplate transaction;

    RetentionJob(BatchRemoval removal, ItemPartitions partitions, RetentionSettings settings, TransactionTemplate transaction) {
        this.removal = removal;
        this.partitions = partitions;
        this.settings = settings;
        this.transaction = transaction;
    }

    @Scheduled(fixedDelayString = "${batch.retention.interval:30s}", initialDelayString = "${batch.retention.interval:30s}")
    void runOnSchedule() {
        try {
            Removed removed = run(settings.enabled() ? Instant.now().minus(settings.keep()) : null);
            if (removed.batches() > 0 || removed.items() > 0) {
                log.info("Retention removed {} batches and {} items ({} day partitions dropped)",
                        removed.batches(), removed.items(), removed.partitions());
            }
        } catch (RuntimeException e) {
            log.debug("Retention run failed: {}", e.getMessage());
        }
    }

    /**
     * One run: batches that ended before {@code cutoff} (none when it is null: only the items
     * of batches already removed), then items, until done or out of budget.
     */
    Removed run(@org.jspecify.annotations.Nullable Instant cutoff) {
        long deadline = System.nanoTime() + settings.runBudget().toNanos();
        int batches = 0;
        long items = 0;
        int dropped = 0;
        if (cutoff != null) {
            int removed;
            do {
                removed = transaction.execute(status -> removal.removeExpired(cutoff, settings.batchesPerChunk()));
                removal.counted(removed, 0);
                batches += removed;
            } while (removed == settings.batchesPerChunk() && System.nanoTime() < deadline);
            // whole days first: their removed batches' items are not deleted row by row
            ItemPartitions.Dropped days = partitions.dropExpired(cutoff, deadline);
            removal.countedPartitions(days.partitions(), days.items());
            dropped = days.partitions();
            items += days.items();
        }
        while (System.nanoTime() < deadline) {
            int deleted = transaction.execute(status -> removal.deleteSomeItems(settings.itemsPerChunk()));
            if (deleted < 0) {
                break;
            }
            removal.counted(0, deleted);
            items += deleted;
        }
        return new Removed(batches, items, dropped);
    }
}
