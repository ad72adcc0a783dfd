package io.batchline.api.tracking;

import com.rabbitmq.client.Channel;
import io.batchline.model.messaging.ItemActivity;
import io.batchline.model.messaging.Topology;
import io.batchline.support.SqlArrays;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareBatchMessageListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records the workers' notes on unfinished items ({@code batch.activity}): who runs an item
 * since when, that its worker died holding it, why its last attempt failed. A chunk of
 * notes is applied in arrival order, one statement per run of notes of one kind. A note only touches an
 * item that is still pending, in the same round, and not already past the note's attempt,
 * so notes that arrive late, twice or after the result change nothing that matters; a
 * crash counts once per item and attempt, and the batch's {@code crashed_items} moves in
 * the same statement, only for an item's first crash. A retry note also says which delay tier
 * the item waits in and until when (the diagnosis reads it); a start or a crash clears that.
 */
@Component
class ActivityRecorder implements ChannelAwareBatchMessageListener {

    private static final Logger log = LoggerFactory.getLogger(ActivityRecorder.class);

    private static final String NOTES = """
            SELECT batch_id, seq, round, attempt, worker, at::timestamptz AS at, code, message, tier,
                   due::timestamptz AS due
              FROM unnest(?::uuid[], ?::int[], ?::int[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                AS r(batch_id, seq, round, attempt, worker, at, code, message, tier, due)
            """;
    private static final String MATCHES = """
            i.batch_id = n.batch_id AND i.seq = n.seq AND i.round = n.round AND i.status = 'pending'
            AND (i.running_attempt IS NULL OR i.running_attempt <= n.attempt)
            """;
    static final String STARTED = "UPDATE batch_items i SET started_at = n.at, worker = n.worker, running_attempt = n.attempt,"
            + " retry_tier = NULL, retry_due_at = NULL FROM (" + NOTES + ") n WHERE " + MATCHES;
    /**
     * The failed attempt is over: the item waits for the next one, so a late start note of
     * the failed attempt (its announcement raced the end of the chunk) no longer matches.
     */
    static final String RETRYING = "UPDATE batch_items i SET started_at = NULL, running_attempt = n.attempt + 1,"
            + " retry_code = n.code, retry_message = n.message, retry_tier = n.tier, retry_due_at = n.due"
            + " FROM (" + NOTES + ") n WHERE " + MATCHES;
    /**
     * A redelivery counts as a crash only for an item a worker had announced it was running
     * (started_at set): the broker also redelivers the items a worker had merely prefetched
     * when it stops or restarts, and those never ran. Those read as {@code redelivered}. The
     * batch's crashed_items moves in the same statement, for an item's first crash only.
     */
    static final String CRASHED = "WITH n AS (" + NOTES + "), targets AS ("
            + " SELECT i.batch_id, i.seq, n.attempt, n.worker, n.code, n.message, i.started_at IS NOT NULL AS held"
            + " FROM batch_items i JOIN n ON " + MATCHES + " AND i.crashed_attempt IS DISTINCT FROM n.attempt FOR UPDATE OF i),"
            + " crashed AS (UPDATE batch_items i SET started_at = NULL, running_attempt = t.attempt, crashed_attempt = t.attempt,"
            + " retry_tier = NULL, retry_due_at = NULL,"
            + " crashes = i.crashes + CASE WHEN t.held THEN 1 ELSE 0 END,"
            + " retry_code = CASE WHEN t.held THEN t.code ELSE 'redelivered' END,"
            + " retry_message = CASE WHEN t.held THEN t.message"
            + " ELSE 'delivered again before it ran: the worker that had fetched it stopped or died' END"
            + " FROM targets t WHERE i.batch_id = t.batch_id AND i.seq = t.seq RETURNING i.batch_id, i.crashes, t.held)"
            + " UPDATE batches b SET crashed_items = b.crashed_items + c.first"
            + " FROM (SELECT batch_id, count(*) FILTER (WHERE held AND crashes = 1) AS first FROM crashed GROUP BY batch_id) c"
            + " WHERE b.id = c.batch_id AND c.first > 0";

    private static final Map<ItemActivity.Kind, String> STATEMENTS = Map.of(
            ItemActivity.Kind.STARTED, STARTED, ItemActivity.Kind.RETRYING, RETRYING, ItemActivity.Kind.CRASHED, CRASHED);

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final ChunkCommitter committer;
    ActivityRecorder(JdbcClient jdbc, JsonMapper json, ChunkCommitter committer) {
        this.jdbc = jdbc;
        this.json = json;
        this.committer = committer;
    }

    @Override
    public void onMessageBatch(List<Message> messages, Channel channel) {
        List<ChunkCommitter.Entry<ItemActivity>> readable = new ArrayList<>(messages.size());
        for (Message message : messages) {
            try {
                ItemActivity note = json.readValue(message.getBody(), ItemActivity.class);
                if (note.kind() == null || note.items() == null) {
                    throw new IllegalArgumentException("incomplete note");
                }
                readable.add(new ChunkCommitter.Entry<>(message, note));
            } catch (JacksonException | IllegalArgumentException e) {
                // a note, not an outcome: dropping an unreadable one loses nothing the result will not say
                log.warn("Dropping an unreadable activity note: {}", e.getMessage());
                try {
                    channel.basicNack(message.getMessageProperties().getDeliveryTag(), false, false);
                } catch (IOException ignored) {
                    // the channel is gone; the broker redelivers it
                }
            }
        }
        committer.commit(readable, channel, this::record, Topology.ACTIVITY_QUEUE);
    }

    /**
     * Applies the notes in the order they arrived: consecutive notes of one kind go in one
     * statement, and each statement commits on its own (notes need no atomicity across
     * kinds, and a statement holds its locks only while it runs). Applying a chunk again
     * after a failure is harmless.
     */
    private void record(List<ItemActivity> notes) {
        ItemActivity.Kind kind = null;
        Rows rows = new Rows();
        for (ItemActivity note : notes) {
            if (note.kind() != kind && kind != null) {
                jdbc.sql(STATEMENTS.get(kind)).params(rows.params()).update();
                rows = new Rows();
            }
            kind = note.kind();
            for (ItemActivity.Item item : note.items()) {
                rows.add(note, item);
            }
        }
        if (kind != null) {
            jdbc.sql(STATEMENTS.get(kind)).params(rows.params()).update();
        }
    }

    /**
     * The columns of one kind's notes, one row per item (one statement must not touch a row
     * twice): the note of the item's highest attempt wins, the first among equals.
     */
    private static final class Rows {
        private final Map<String, Integer> rowOf = new java.util.HashMap<>();
        private final List<UUID> batchIds = new ArrayList<>();
        private final List<Integer> seqs = new ArrayList<>();
        private final List<Integer> rounds = new ArrayList<>();
        private final List<Integer> attempts = new ArrayList<>();
        private final List<String> workers = new ArrayList<>();
        private final List<String> ats = new ArrayList<>();
        private final List<String> codes = new ArrayList<>();
        private final List<String> messages = new ArrayList<>();
        private final List<String> tiers = new ArrayList<>();
        private final List<String> dues = new ArrayList<>();

        void add(ItemActivity note, ItemActivity.Item item) {
            String key = item.batchId() + ":" + item.seq() + ":" + item.round();
            Integer row = rowOf.get(key);
            if (row == null) {
                rowOf.put(key, batchIds.size());
                batchIds.add(item.batchId());
                seqs.add(item.seq());
                rounds.add(item.round());
                attempts.add(item.attempt());
                workers.add(note.worker());
                ats.add(note.at().toString());
                codes.add(item.error() == null ? null : item.error().code());
                messages.add(item.error() == null ? null : item.error().message());
                tiers.add(item.retryTier());
                dues.add(item.retryDueAt() == null ? null : item.retryDueAt().toString());
            } else if (item.attempt() > attempts.get(row)) {
                attempts.set(row, item.attempt());
                workers.set(row, note.worker());
                ats.set(row, note.at().toString());
                codes.set(row, item.error() == null ? null : item.error().code());
                messages.set(row, item.error() == null ? null : item.error().message());
                tiers.set(row, item.retryTier());
                dues.set(row, item.retryDueAt() == null ? null : item.retryDueAt().toString());
            }
        }

        List<Object> params() {
            return List.of(SqlArrays.of("uuid", batchIds.toArray(UUID[]::new)), SqlArrays.of("int4", seqs.toArray(Integer[]::new)),
                    SqlArrays.of("int4", rounds.toArray(Integer[]::new)), SqlArrays.of("int4", attempts.toArray(Integer[]::new)),
                    SqlArrays.of("text", workers.toArray(String[]::new)), SqlArrays.of("text", ats.toArray(String[]::new)),
                    SqlArrays.of("text", codes.toArray(String[]::new)), SqlArrays.of("text", messages.toArray(String[]::new)),
                    SqlArrays.of("text", tiers.toArray(String[]::new)), SqlArrays.of("text", dues.toArray(String[]::new)));
        }
    }
}
