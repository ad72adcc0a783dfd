package io.batchline.worker.consumption;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.batchline.model.messaging.ItemError;
import io.batchline.model.status.BatchStatus;
import io.batchline.model.status.StopOutcome;
import io.batchline.support.SqlArrays;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Knows, per batch <em>and round</em>, whether the batch's items should still run. Two
 * sources: the stop broadcast on {@code batch.control} (within about a second), and, for a
 * worker that missed it, a status check of the chunk's batches in the database at most
 * once a second per batch. The round is part of the answer: a stop ends one round, and a
 * retry round of the same batch runs normally.
 *
 * <p>What is remembered expires when it has not been asked for a while: forgetting costs
 * one database check, never a wrong answer.
 */
@Component
class StoppedBatches {

    private static final Logger log = LoggerFactory.getLogger(StoppedBatches.class);

    static final String STATES = """
            SELECT id, round, status, stop_status, status_reason FROM batches WHERE id = ANY(?::uuid[])
            """;
    private static final long RECHECK_NANOS = Duration.ofSeconds(1).toNanos();

    /**
     * What a worker does with an item of a batch.
     *
     * @param round the batch's current round when this was learned
     */
    record Verdict(int round, Kind kind, @Nullable StopOutcome outcome, @Nullable String reason, long learnedAt) {

        /** Whether an item of {@code itemRound} runs, is reported with the stop's outcome, or is dropped. */
        Kind forRound(int itemRound) {
            if (itemRound < round) {
                return Kind.STALE;
            }
            return itemRound == round ? kind : Kind.RUN;
        }

        ItemError error() {
            return new ItemError(outcome == null ? StopOutcome.STOPPED : outcome.errorCode(),
                    reason == null ? "the batch was stopped" : reason);
        }
    }

    enum Kind {
        /** the batch is running this round: run the item */
        RUN,
        /** the batch is stopping this round: report the item with the stop's outcome */
        STOPPING,
        /**
         * the round has ended (every item of it is terminal) or the item belongs to an
         * earlier round: its result would be ignored, so it is dropped without one
         */
        STALE
    }

    private final JdbcClient jdbc;
    private final Cache<UUID, Verdict> verdicts = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10)).build();
    private volatile long lastWarning = System.nanoTime() - Duration.ofHours(1).toNanos();

    StoppedBatches(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The stop broadcast: round {@code round} of the batch is stopping towards {@code target}. */
    void stopping(UUID batchId, int round, BatchStatus target, String reason) {
        Verdict stop = new Verdict(round, Kind.STOPPING, StopOutcome.of(target), reason, System.nanoTime());
        verdicts.asMap().merge(batchId, stop, (old, now) -> old.round() > now.round() ? old : now);
    }

    /** The verdict for each of the given batches, rechecking in the database what may be out of date. */
    Map<UUID, Verdict> verdicts(Collection<UUID> batchIds) {
        Map<UUID, Verdict> result = new HashMap<>();
        Set<UUID> toCheck = new HashSet<>();
        long now = System.nanoTime();
        for (UUID id : batchIds) {
            Verdict known = verdicts.getIfPresent(id);
            if (known != null && (known.kind() != Kind.RUN || now - known.learnedAt() < RECHECK_NANOS)) {
                result.put(id, known);
            } else {
                toCheck.add(id);
            }
        }
        if (!toCheck.isEmpty()) {
            try {
                List<Map.Entry<UUID, Verdict>> checked = jdbc.sql(STATES)
                        .params(List.of(SqlArrays.of("uuid", toCheck.toArray(UUID[]::new))))
                        .query((rs, n) -> Map.entry(rs.getObject(1, UUID.class),
                                verdict(rs.getInt(2), BatchStatus.fromWireName(rs.getString(3)), rs.getString(4),
                                        rs.getString(5), now)))
                        .list();
                for (Map.Entry<UUID, Verdict> entry : checked) {
                    Verdict merged = verdicts.asMap().merge(entry.getKey(), entry.getValue(),
                            (old, fresh) -> old.round() > fresh.round() || (old.round() == fresh.round()
                                    && old.kind() != Kind.RUN && fresh.kind() == Kind.RUN) ? old : fresh);
                    result.put(entry.getKey(), merged);
                }
            } catch (RuntimeException e) {
                // fail open: running an item of a stopping batch wastes work but corrupts nothing;
                // its real outcome is recorded (the batch ends only when every item has one)
                if (now - lastWarning > Duration.ofMinutes(1).toNanos()) {
                    lastWarning = now;
                    log.warn("Could not check whether batches are stopping, running their items: {}", e.getMessage());
                }
            }
        }
        return result;
    }

    private static Verdict verdict(int round, BatchStatus status, @Nullable String stopStatus, @Nullable String reason,
                                   long now) {
        if (status == BatchStatus.STOPPING && stopStatus != null) {
            return new Verdict(round, Kind.STOPPING, StopOutcome.of(BatchStatus.fromWireName(stopStatus)), reason, now);
        }
        if (status.isTerminal()) {
            return new Verdict(round, Kind.STALE, null, reason, now);
        }
        return new Verdict(round, Kind.RUN, null, null, now);
    }
}
