package io.batchline.model.messaging;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The identity an item message carries in its headers, read and written in this one place
 * by the dispatcher, the workers and the dead-letter recorder. The body is only the
 * operation's payload, so a message whose body cannot be parsed is still attributable.
 *
 * @param batchId     {@code x-batch-id}
 * @param seq         {@code x-item-seq}
 * @param round       {@code x-round}: the retry round the item was dispatched in
 * @param attempt     {@code x-attempt}: counts across rounds, so message ids stay unique
 * @param maxAttempts {@code x-max-attempts}: the attempt after which the item fails for good
 * @param operation   {@code x-operation}
 * @param traits      what the item's batch asks of every item: owner and chunking
 */
public record ItemHeaders(UUID batchId, int seq, int round, int attempt, int maxAttempts, String operation,
                          BatchTraits traits) {

    /**
     * Per-batch settings every item message carries, so a worker needs no lookup to honour
     * them.
     *
     * @param tenant         {@code x-tenant}: the batch's owner, or null for messages from before owners travelled
     * @param chunkSize      {@code x-chunk-size}: most items of the batch per handler call, 0 for the worker's own
     * @param maxConcurrency {@code x-max-concurrency}: most handler calls of the batch at once per worker, 0 for no cap
     */
    public record BatchTraits(@Nullable String tenant, int chunkSize, int maxConcurrency) {

        public static final BatchTraits NONE = new BatchTraits(null, 0, 0);
    }

    /** An item of a batch with no owner and no chunking options (tests, old messages). */
    public ItemHeaders(UUID batchId, int seq, int round, int attempt, int maxAttempts, String operation) {
        this(batchId, seq, round, attempt, maxAttempts, operation, BatchTraits.NONE);
    }

    /** The headers of a message, or empty when they name no item (no batch id or seq). */
    public static Optional<ItemHeaders> read(Map<String, ?> headers) {
        Object batchId = headers.get(Topology.HEADER_BATCH_ID);
        if (batchId == null || !(headers.get(Topology.HEADER_ITEM_SEQ) instanceof Number seq)) {
            return Optional.empty();
        }
        try {
            int attempt = intOr(headers.get(Topology.HEADER_ATTEMPT), 1);
            return Optional.of(new ItemHeaders(UUID.fromString(batchId.toString()), seq.intValue(),
                    intOr(headers.get(Topology.HEADER_ROUND), 0), attempt,
                    intOr(headers.get(Topology.HEADER_MAX_ATTEMPTS), attempt),
                    String.valueOf(headers.get(Topology.HEADER_OPERATION) == null ? "" : headers.get(Topology.HEADER_OPERATION)),
                    new BatchTraits(headers.get(Topology.HEADER_TENANT) == null ? null : headers.get(Topology.HEADER_TENANT).toString(),
                            intOr(headers.get(Topology.HEADER_CHUNK_SIZE), 0), intOr(headers.get(Topology.HEADER_MAX_CONCURRENCY), 0))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Every item a message carries: the one its headers name, or each of a pack's
     * ({@link Topology#HEADER_PACK_SEQS}, in body order) with the pack's other fields. Empty
     * when the headers name no item, or a pack's seqs are unreadable.
     */
    public static List<ItemHeaders> readAll(Map<String, ?> headers) {
        Optional<ItemHeaders> first = read(headers);
        if (first.isEmpty()) {
            return List.of();
        }
        if (!(headers.get(Topology.HEADER_PACK_SEQS) instanceof List<?> seqs)) {
            return List.of(first.get());
        }
        List<ItemHeaders> items = new ArrayList<>(seqs.size());
        java.util.Set<Integer> seen = new java.util.HashSet<>(seqs.size() * 2);
        for (Object seq : seqs) {
            if (!(seq instanceof Number n) || !seen.add(n.intValue())) {
                return List.of(); // a seq twice would run (and count) the item twice: no pack of ours has one
            }
            items.add(first.get().withSeq(n.intValue()));
        }
        return items.isEmpty() || items.getFirst().seq() != first.get().seq() ? List.of() : items;
    }

    /** Whether the headers are a pack's, whose body is a JSON array of its items' payloads. */
    public static boolean isPack(Map<String, ?> headers) {
        return headers.get(Topology.HEADER_PACK_SEQS) != null;
    }

    private ItemHeaders withSeq(int otherSeq) {
        return otherSeq == seq ? this : new ItemHeaders(batchId, otherSeq, round, attempt, maxAttempts, operation, traits);
    }

    private static int intOr(Object value, int fallback) {
        return value instanceof Number n ? n.intValue() : fallback;
    }

    /** The same item's next attempt. */
    public ItemHeaders nextAttempt() {
        return new ItemHeaders(batchId, seq, round, attempt + 1, maxAttempts, operation, traits);
    }

    public boolean hasAttemptsLeft() {
        return attempt < maxAttempts;
    }

    /** {@code <batchId>:<seq>:<attempt>}: unique per attempt, the same when an attempt is re-published. */
    public String messageId() {
        return batchId + ":" + seq + ":" + attempt;
    }

    /**
     * The headers of a pack of this item and the ones after it, all of the same batch, round
     * and attempt; {@code seqs} starts with this item's.
     */
    public Map<String, Object> toPackMap(List<Integer> seqs) {
        if (seqs.isEmpty() || seqs.getFirst() != seq) {
            throw new IllegalArgumentException("a pack's seqs start with its first item's");
        }
        Map<String, Object> headers = toMap();
        headers.put(Topology.HEADER_PACK_SEQS, seqs);
        return headers;
    }

    /** {@code <batchId>:<first>-<last>:<attempt>}: a pack's message id. */
    public String packMessageId(int lastSeq) {
        return batchId + ":" + seq + "-" + lastSeq + ":" + attempt;
    }

    /** The headers to put on a message. */
    public Map<String, Object> toMap() {
        Map<String, Object> headers = new HashMap<>(12);
        headers.put(Topology.HEADER_BATCH_ID, batchId.toString());
        headers.put(Topology.HEADER_ITEM_SEQ, seq);
        headers.put(Topology.HEADER_ROUND, round);
        headers.put(Topology.HEADER_ATTEMPT, attempt);
        headers.put(Topology.HEADER_MAX_ATTEMPTS, maxAttempts);
        headers.put(Topology.HEADER_OPERATION, operation);
        if (traits.tenant() != null) {
            headers.put(Topology.HEADER_TENANT, traits.tenant());
        }
        if (traits.chunkSize() > 0) {
            headers.put(Topology.HEADER_CHUNK_SIZE, traits.chunkSize());
        }
        if (traits.maxConcurrency() > 0) {
            headers.put(Topology.HEADER_MAX_CONCURRENCY, traits.maxConcurrency());
        }
        return headers;
    }
}
