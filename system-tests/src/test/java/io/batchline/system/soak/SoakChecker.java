package io.batchline.system.soak;

import io.batchline.system.BatchlineStack;
import io.batchline.testing.TestServices;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The end of a soak: "nothing lost, counted once, final when terminal", checked batch by
 * batch against the database, the broker and the callbacks received.
 */
final class SoakChecker {

    private static final List<String> ITEM_STATES = List.of("succeeded", "failed", "cancelled", "timed_out");
    private static final int SEQS_PER_BATCH = 20;
    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();
    private static final Pattern UUID_PATTERN = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final SoakSettings settings;
    private final EventLog log;
    private final BatchlineStack stack;
    private final CallbackReceiver receiver;
    private final String tenant;
    private final List<SoakReport.Violation> violations = new ArrayList<>();

    /** A batch row at the end. */
    private record BatchRow(UUID id, String status, String reason, int total, int succeeded, int failed, int cancelled,
                            int timedOut, int round) {

        int counter(String state) {
            return switch (state) {
                case "succeeded" -> succeeded;
                case "failed" -> failed;
                case "cancelled" -> cancelled;
                case "timed_out" -> timedOut;
                default -> throw new IllegalArgumentException(state);
            };
        }

        boolean terminal() {
            return TrackedBatch.TERMINAL.contains(status);
        }

        String describe() {
            return status + " {succeeded=" + succeeded + ", failed=" + failed + ", cancelled=" + cancelled + ", timed_out="
                    + timedOut + "} total=" + total + " round=" + round + (reason == null ? "" : " (" + reason + ")");
        }
    }

    /** One pending item at the end. */
    private record PendingItem(int seq, int round, int attempts, int pendingInBatch) {
    }

    SoakChecker(SoakSettings settings, EventLog log, BatchlineStack stack, CallbackReceiver receiver, String tenant) {
        this.settings = settings;
        this.log = log;
        this.stack = stack;
        this.receiver = receiver;
        this.tenant = tenant;
    }

    /** Queues whose messages are meant to stay (for people): {@code batch.dead.<operation>}. */
    static boolean isDeadLetterQueue(String name) {
        return name.startsWith("batch.dead.") && !name.equals("batch.dead.results") && !name.equals("batch.dead.recorder");
    }

    /**
     * Queues nobody consumes, so waiting for them to drain is pointless: the dead-letter queues
     * and {@code batch.dead.results} (checked on their own).
     */
    static boolean isParkingQueue(String name) {
        return isDeadLetterQueue(name) || name.equals("batch.dead.results");
    }

    SoakReport check(List<TrackedBatch> tracked, int faults, List<String> queueLeftovers, List<String> unaccepted)
            throws SQLException {
        Map<UUID, BatchRow> rows = new HashMap<>();
        Map<UUID, Map<String, Integer>> itemCounts = new HashMap<>();
        Map<UUID, List<PendingItem>> pending = new HashMap<>();
        try (Connection connection = TestServices.get().openConnection()) {
            loadBatches(connection, rows);
            loadItemCounts(connection, itemCounts);
            loadPending(connection, pending);

            long lost = 0;
            int doubleCounted = 0;
            int changed = 0;
            int stuck = 0;
            Set<UUID> known = new HashSet<>();
            for (TrackedBatch batch : tracked) {
                known.add(batch.id);
                BatchRow row = rows.get(batch.id);
                if (row == null) {
                    violation("LOST", batch, null, "accepted (" + batch.spec.summary() + ") but not in the batches table");
                    lost += batch.spec.items();
                    stuck++;
                    continue;
                }
                Map<String, Integer> counts = itemCounts.getOrDefault(batch.id, Map.of());
                int itemRows = counts.values().stream().mapToInt(Integer::intValue).sum();
                int pendingRows = counts.getOrDefault("pending", 0);
                lost += pendingRows + Math.max(0, row.total() - itemRows);

                if (!row.terminal()) {
                    stuck++;
                    violation("STUCK", batch, null, "still " + row.describe() + " at the end, " + pendingRows + " items pending; "
                            + batch.spec.summary() + actions(batch));
                }
                for (PendingItem item : pending.getOrDefault(batch.id, List.of())) {
                    violation("LOST", batch, item.seq(), "item still pending at the end (round " + item.round() + ", "
                            + item.attempts() + " attempts)");
                }
                if (pendingRows > SEQS_PER_BATCH) {
                    violation("LOST", batch, null, "… and " + (pendingRows - SEQS_PER_BATCH) + " more pending items");
                }
                if (itemRows < row.total()) {
                    violation("LOST", batch, null, row.total() + " items on the batch row but only " + itemRows + " item rows");
                }

                List<String> counterProblems = new ArrayList<>();
                int counterSum = 0;
                for (String state : ITEM_STATES) {
                    int counter = row.counter(state);
                    counterSum += counter;
                    int actual = counts.getOrDefault(state, 0);
                    if (counter != actual) {
                        counterProblems.add(state + " counter is " + counter + " but " + actual + " item rows are " + state);
                    }
                }
                if (row.terminal() && counterSum != row.total()) {
                    counterProblems.add("counters add up to " + counterSum + ", not to total " + row.total());
                }
                if (row.total() != batch.spec.items()) {
                    counterProblems.add("total is " + row.total() + " but " + batch.spec.items() + " items were submitted");
                }
                if (!counterProblems.isEmpty()) {
                    doubleCounted++;
                    violation("DOUBLE_COUNTED", batch, null, String.join("; ", counterProblems) + " (" + row.describe() + ")");
                }

                TrackedBatch.Observation snapshot = batch.snapshot;
                boolean changedAtEnd = snapshot != null && (!snapshot.status().equals(row.status())
                        || snapshot.succeeded() != row.succeeded() || snapshot.failed() != row.failed()
                        || snapshot.cancelled() != row.cancelled() || snapshot.timedOut() != row.timedOut());
                if (changedAtEnd || !batch.changes.isEmpty()) {
                    changed++;
                    List<String> what = new ArrayList<>(batch.changes);
                    if (changedAtEnd) {
                        what.add("first seen terminal as " + snapshot.describe() + " at " + snapshot.at() + ", finally "
                                + row.describe());
                    }
                    violation("CHANGED", batch, null, String.join("; ", what) + "; " + batch.spec.summary() + actions(batch));
                    namedChangedItems(batch);
                } else if (snapshot == null && row.terminal()) {
                    log.log("CHECK", batch.id + " ended but was never seen terminal by the poller: not judged for changes");
                }
            }

            int unknown = 0;
            for (BatchRow row : rows.values()) {
                if (!known.contains(row.id())) {
                    unknown++;
                    violations.add(new SoakReport.Violation("UNKNOWN_BATCH", row.id().toString(), null,
                            "batch of the soak's tenant that no accepted submission named (a submission stored twice?): "
                                    + row.describe()));
                }
            }

            for (String submission : unaccepted) {
                violations.add(new SoakReport.Violation("UNACCEPTED", null, null, "submission " + submission));
            }
            for (String leftover : queueLeftovers) {
                violations.add(new SoakReport.Violation("QUEUE", null, null, leftover));
            }
            Map<UUID, TrackedBatch> byId = new LinkedHashMap<>();
            tracked.forEach(b -> byId.put(b.id, b));
            int deadLetterMismatches = checkDeadLetters(connection, byId);
            int deadResults = checkDeadResults(byId);
            int callbackMismatches = checkCallbacks(connection, tracked, rows);

            long items = tracked.stream().mapToLong(b -> b.spec.items()).sum();
            return new SoakReport(settings.seed(), settings.minutesText(), tracked.size(), items, faults, lost, doubleCounted,
                    changed, stuck, queueLeftovers.size(), deadLetterMismatches, deadResults, callbackMismatches, unknown,
                    unaccepted.size(),
                    List.copyOf(violations));
        }
    }

    private static String actions(TrackedBatch batch) {
        List<String> done = new ArrayList<>();
        if (batch.cancelRequested) {
            done.add("cancelled by the soak");
        }
        if (batch.retriesDone > 0) {
            done.add("retried " + batch.retriesDone + "× by the soak");
        }
        return done.isEmpty() ? "" : " [" + String.join(", ", done) + "]";
    }

    private void violation(String kind, TrackedBatch batch, Integer seq, String message) {
        violations.add(new SoakReport.Violation(kind, batch.id + " #" + batch.spec.number(), seq, message));
    }

    private void loadBatches(Connection connection, Map<UUID, BatchRow> rows) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT id, status, status_reason, total, succeeded, failed, cancelled, timed_out, round
                  FROM batches WHERE creator = ?
                """)) {
            statement.setString(1, tenant);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    rows.put(id, new BatchRow(id, rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5), rs.getInt(6),
                            rs.getInt(7), rs.getInt(8), rs.getInt(9)));
                }
            }
        }
    }

    private void loadItemCounts(Connection connection, Map<UUID, Map<String, Integer>> counts) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT i.batch_id, i.status, count(*) FROM batch_items i JOIN batches b ON b.id = i.batch_id
                 WHERE b.creator = ? GROUP BY i.batch_id, i.status
                """)) {
            statement.setString(1, tenant);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    counts.computeIfAbsent(rs.getObject(1, UUID.class), id -> new HashMap<>()).put(rs.getString(2), rs.getInt(3));
                }
            }
        }
    }

    private void loadPending(Connection connection, Map<UUID, List<PendingItem>> pending) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT batch_id, seq, round, attempts, in_batch FROM (
                    SELECT i.batch_id, i.seq, i.round, i.attempts,
                           row_number() OVER (PARTITION BY i.batch_id ORDER BY i.seq) AS n,
                           count(*) OVER (PARTITION BY i.batch_id) AS in_batch
                      FROM batch_items i JOIN batches b ON b.id = i.batch_id
                     WHERE b.creator = ? AND i.status = 'pending') p
                 WHERE n <= ? ORDER BY batch_id, seq
                """)) {
            statement.setString(1, tenant);
            statement.setInt(2, SEQS_PER_BATCH);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    pending.computeIfAbsent(rs.getObject(1, UUID.class), id -> new ArrayList<>())
                            .add(new PendingItem(rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getInt(5)));
                }
            }
        }
    }

    /** Names the items whose status changed after the batch was seen terminal (seen while polling, or at the end). */
    private void namedChangedItems(TrackedBatch batch) {
        batch.recordChangedItems(SoakRun.itemStatuses(batch.id));
        List<Map.Entry<Integer, String>> changedItems = List.copyOf(batch.changedItems.entrySet());
        for (Map.Entry<Integer, String> item : changedItems.subList(0, Math.min(SEQS_PER_BATCH, changedItems.size()))) {
            violation("CHANGED", batch, item.getKey(), item.getValue());
        }
        if (changedItems.size() > SEQS_PER_BATCH) {
            violation("CHANGED", batch, null, "… and " + (changedItems.size() - SEQS_PER_BATCH) + " more items changed after the end");
        }
    }

    /**
     * The dead-letter queues {@code batch.dead.<operation>} may only hold items whose row (in
     * the dead letter's round) is {@code failed}; a dead letter from an earlier round of a
     * retried item is history, not a contradiction.
     */
    private int checkDeadLetters(Connection connection, Map<UUID, TrackedBatch> batches) throws SQLException {
        record Letter(String queue, UUID batch, int seq, int round) {
        }
        List<Letter> letters = new ArrayList<>();
        int examined = 0;
        for (JsonNode queue : stack.queues()) {
            String name = queue.path("name").asString();
            int ready = queue.path("messages_ready").asInt(0);
            if (!isDeadLetterQueue(name) || ready == 0) {
                continue;
            }
            for (JsonNode message : stack.peek(name, Math.min(ready + 100, 50_000))) {
                examined++;
                JsonNode headers = message.path("properties").path("headers");
                String batchId = headers.path("x-batch-id").asString("");
                if (!UUID_PATTERN.matcher(batchId).matches() || !batches.containsKey(UUID.fromString(batchId))) {
                    continue;
                }
                // a pack the broker dead-lettered names each of its items
                java.util.List<Integer> seqs = io.batchline.system.BatchlineStack.itemSeqs(headers);
                for (int seq : seqs.isEmpty() ? java.util.List.of(-1) : seqs) {
                    letters.add(new Letter(name, UUID.fromString(batchId), seq, headers.path("x-round").asInt(0)));
                }
            }
        }
        log.log("CHECK", "dead-letter queues: " + examined + " messages, " + letters.size() + " of this soak's batches");
        if (letters.isEmpty()) {
            return 0;
        }
        record ItemState(String status, int round) {
        }
        Map<String, ItemState> states = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT i.batch_id, i.seq, i.status, i.round
                  FROM batch_items i JOIN unnest(?::uuid[], ?::int[]) AS l(batch_id, seq) USING (batch_id, seq)
                """)) {
            statement.setArray(1, connection.createArrayOf("uuid", letters.stream().map(Letter::batch).toArray()));
            statement.setArray(2, connection.createArrayOf("integer", letters.stream().map(Letter::seq).toArray()));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    states.put(rs.getObject(1, UUID.class) + ":" + rs.getInt(2), new ItemState(rs.getString(3), rs.getInt(4)));
                }
            }
        }
        Set<String> mismatched = new HashSet<>();
        for (Letter letter : letters) {
            String key = letter.batch() + ":" + letter.seq();
            ItemState state = states.get(key);
            TrackedBatch batch = batches.get(letter.batch());
            if (state == null) {
                if (mismatched.add(key)) {
                    violation("DEAD_LETTER", batch, letter.seq(), "in " + letter.queue() + " but the batch has no such item");
                }
            } else if (state.round() == letter.round() && !state.status().equals("failed")) {
                if (mismatched.add(key)) {
                    violation("DEAD_LETTER", batch, letter.seq(), "in " + letter.queue() + " (round " + letter.round()
                            + ") but its row is " + state.status() + "; " + batch.spec.summary() + actions(batch));
                }
            }
        }
        return mismatched.size();
    }

    /**
     * {@code batch.dead.results} must be empty: a result the tracker gave up on is an item
     * never counted. Each result in it is named by batch and seq.
     */
    private int checkDeadResults(Map<UUID, TrackedBatch> batches) {
        int messages = 0;
        for (JsonNode queue : stack.queues()) {
            if (queue.path("name").asString().equals("batch.dead.results")) {
                messages = queue.path("messages_ready").asInt(0) + queue.path("messages_unacknowledged").asInt(0);
            }
        }
        if (messages == 0) {
            return 0;
        }
        Map<String, java.util.SortedMap<Integer, String>> perBatch = new java.util.TreeMap<>();
        int unattributed = 0;
        for (JsonNode message : stack.peek("batch.dead.results", Math.min(messages + 10, 5_000))) {
            String payload = message.path("payload").asString("");
            List<JsonNode> results = new ArrayList<>();
            try {
                collectResults(JSON.readTree(payload), results);
            } catch (RuntimeException e) {
                // not JSON: fall back to the ids it mentions
            }
            if (results.isEmpty()) {
                Matcher matcher = UUID_PATTERN.matcher(payload);
                if (matcher.find()) {
                    perBatch.computeIfAbsent(matcher.group(), id -> new java.util.TreeMap<>()).put(-1, "unreadable result message");
                } else {
                    unattributed++;
                }
            }
            for (JsonNode result : results) {
                perBatch.computeIfAbsent(result.path("batchId").asString(), id -> new java.util.TreeMap<>())
                        .put(result.path("seq").asInt(-1), result.path("status").asString("?") + " (round "
                                + result.path("round").asInt(0) + ", attempt " + result.path("attempt").asInt(0) + ")");
            }
        }
        if (unattributed > 0) {
            violations.add(new SoakReport.Violation("DEAD_RESULTS", null, null,
                    unattributed + " messages in batch.dead.results name no batch"));
        }
        for (Map.Entry<String, java.util.SortedMap<Integer, String>> entry : perBatch.entrySet()) {
            String id = entry.getKey();
            java.util.SortedMap<Integer, String> items = entry.getValue();
            TrackedBatch batch = UUID_PATTERN.matcher(id).matches() ? batches.get(UUID.fromString(id)) : null;
            String name = batch == null ? id + " (not this soak's)" : batch.id + " #" + batch.spec.number();
            Map<Integer, String> rows = batch == null ? Map.of() : SoakRun.itemStatuses(batch.id);
            int listed = 0;
            for (Map.Entry<Integer, String> item : items.entrySet()) {
                if (listed++ == SEQS_PER_BATCH) {
                    violations.add(new SoakReport.Violation("DEAD_RESULTS", name, null, "… and " + (items.size() - SEQS_PER_BATCH)
                            + " more results in batch.dead.results"));
                    break;
                }
                violations.add(new SoakReport.Violation("DEAD_RESULTS", name, item.getKey() < 0 ? null : item.getKey(),
                        "result " + item.getValue() + " is in batch.dead.results (the tracker gave up on it); the item's row is "
                                + (rows == null ? "unknown" : rows.getOrDefault(item.getKey(), "missing"))));
            }
        }
        return messages;
    }

    /** Every object with a batchId and a seq, wherever it is in a result message. */
    private static void collectResults(JsonNode node, List<JsonNode> into) {
        if (node.isObject() && node.has("batchId") && node.has("seq")) {
            into.add(node);
        } else if (node.isContainer()) {
            for (JsonNode child : node) {
                collectResults(child, into);
            }
        }
    }

    /** Each ended batch's last delivered callback must carry its final status and counts. */
    private int checkCallbacks(Connection connection, List<TrackedBatch> tracked, Map<UUID, BatchRow> rows) throws SQLException {
        Map<UUID, String> outbox = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement("""
                SELECT o.batch_id, o.delivered_at IS NOT NULL, o.gave_up_at IS NOT NULL, o.attempts, o.last_error
                  FROM callback_outbox o JOIN batches b ON b.id = o.batch_id WHERE b.creator = ?
                """)) {
            statement.setString(1, tenant);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    outbox.put(rs.getObject(1, UUID.class), rs.getBoolean(2) ? "delivered"
                            : rs.getBoolean(3) ? "given up after " + rs.getInt(4) + " attempts (" + rs.getString(5) + ")"
                            : "not delivered yet after " + rs.getInt(4) + " attempts (" + rs.getString(5) + ")");
                }
            }
        }
        int mismatches = 0;
        for (TrackedBatch batch : tracked) {
            BatchRow row = rows.get(batch.id);
            if (row == null || !row.terminal()) {
                continue;
            }
            List<CallbackReceiver.Callback> delivered = receiver.callbacks(batch.id.toString()).stream()
                    .filter(CallbackReceiver.Callback::delivered).toList();
            if (delivered.isEmpty()) {
                mismatches++;
                violation("CALLBACK", batch, null, "ended " + row.describe() + " but no callback was delivered; outbox: "
                        + outbox.getOrDefault(batch.id, "no row"));
                continue;
            }
            JsonNode last = delivered.getLast().body();
            List<String> differences = new ArrayList<>();
            if (last == null) {
                differences.add("body is not JSON: " + delivered.getLast().rawBody());
            } else {
                JsonNode counts = last.path("counts");
                compare(differences, "status", last.path("status").asString(null), row.status());
                compare(differences, "totalItems", last.path("totalItems").asInt(-1), row.total());
                for (String state : ITEM_STATES) {
                    compare(differences, "counts." + state, counts.path(state).asInt(-1), row.counter(state));
                }
            }
            if (!differences.isEmpty()) {
                mismatches++;
                violation("CALLBACK", batch, null, "last delivered callback (" + delivered.size() + " delivered, at "
                        + delivered.getLast().at() + ") differs from the final batch: " + String.join(", ", differences)
                        + "; final " + row.describe() + actions(batch));
            }
        }
        return mismatches;
    }

    private static void compare(List<String> differences, String field, Object callback, Object actual) {
        if (!Objects.equals(callback, actual)) {
            differences.add(field + " " + callback + " vs " + actual);
        }
    }
}
