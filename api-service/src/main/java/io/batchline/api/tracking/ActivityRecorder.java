package io.batchline.api.tracking;

import com.rabbitmq.client.Channel;
import io.batchline.model.messaging.ItemActivity;
import io.batchline.model.messaging.Topology;
import io.batchline.support.SqlArrays;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareBatchMessageListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records the workers' notes on unfinished items ({@code batch.activity}): who runs an item
 * since when, that its worker died holding it, why its last attempt failed. A chunk of
 * notes is applied with one statement per kind in one transaction. A note only touches an
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
    /** Running: no longer in a delay tier. */
    static final String STARTED = "UPDATE batch_items i SET started_at = n.at, worker = n.worker, running_attempt = n.attempt,"
            + " retry_tier = NULL, retry_due_at = NULL FROM (" + NOTES + ") n WHERE " + MATCHES;
    /** Waiting in a delay tier (named by workers that know it) until it is due again. */
    static final String RETRYING = "UPDATE batch_items i SET started_at = NULL, running_attempt = n.attempt,"
            + " retry_code = n.code, retry_message = n.message, retry_tier = n.tier, retry_due_at = n.due"
            + " FROM (" + NOTES + ") n WHERE " + MATCHES;
    /** Back in a queue (the isolation queue), not in a delay tier. */
    static final String CRASHED = "WITH crashed AS (UPDATE batch_items i SET started_at = NULL, running_attempt = n.attempt,"
            + " retry_tier = NULL, retry_due_at = NULL,"
            + " crashes = i.crashes + 1, crashed_attempt = n.attempt, retry_code = n.code, retry_message = n.message"
            + " FROM (" + NOTES + ") n WHERE " + MATCHES + " AND i.crashed_attempt IS DISTINCT FROM n.attempt"
            + " RETURNING i.batch_id, i.crashes)"
            + " UPDATE batches b SET crashed_items = b.crashed_items + c.first"
            + " FROM (SELECT batch_id, count(*) FILTER (WHERE crashes = 1) AS first FROM crashed GROUP BY batch_id) c"
            + " WHERE b.id = c.batch_id AND c.first > 0";

    private static final Map<ItemActivity.Kind, String> STATEMENTS = Map.of(
            ItemActivity.Kind.STARTED, STARTED, ItemActivity.Kind.RETRYING, RETRYING, ItemActivity.Kind.CRASHED, CRASHED);

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final ChunkCommitter committer;
    private final TransactionTemplate transaction;

    ActivityRecorder(JdbcClient jdbc, JsonMapper json, ChunkCommitter committer, TransactionTemplate transaction) {
        this.jdbc = jdbc;
        this.json = json;
        this.committer = committer;
        this.transaction = transaction;
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

    private void record(List<ItemActivity> notes) {
        Map<ItemActivity.Kind, Rows> byKind = new EnumMap<>(ItemActivity.Kind.class);
        for (ItemActivity note : notes) {
            Rows rows = byKind.computeIfAbsent(note.kind(), k -> new Rows());
            for (ItemActivity.Item item : note.items()) {
                rows.add(note, item);
            }
        }
        transaction.executeWithoutResult(tx -> byKind.forEach((kind, rows) ->
                jdbc.sql(STATEMENTS.get(kind)).params(rows.params()).update()));
    }

    /** The columns of one kind's notes; the first note per item wins (one statement must not touch a row twice). */
    private static final class Rows {
        private final Set<String> seen = new HashSet<>();
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
            if (!seen.add(item.batchId() + ":" + item.seq() + ":" + item.round())) {
                return;
            }
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
