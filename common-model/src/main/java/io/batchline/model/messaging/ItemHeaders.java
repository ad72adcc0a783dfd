package io.batchline.model.messaging;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

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
 */
public record ItemHeaders(UUID batchId, int seq, int round, int attempt, int maxAttempts, String operation) {

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
                    String.valueOf(headers.get(Topology.HEADER_OPERATION) == null ? "" : headers.get(Topology.HEADER_OPERATION))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static int intOr(Object value, int fallback) {
        return value instanceof Number n ? n.intValue() : fallback;
    }

    /** The same item's next attempt. */
    public ItemHeaders nextAttempt() {
        return new ItemHeaders(batchId, seq, round, attempt + 1, maxAttempts, operation);
    }

    public boolean hasAttemptsLeft() {
        return attempt < maxAttempts;
    }

    /** {@code <batchId>:<seq>:<attempt>}: unique per attempt, the same when an attempt is re-published. */
    public String messageId() {
        return batchId + ":" + seq + ":" + attempt;
    }

    /** The headers to put on a message. */
    public Map<String, Object> toMap() {
        Map<String, Object> headers = new HashMap<>(8);
        headers.put(Topology.HEADER_BATCH_ID, batchId.toString());
        headers.put(Topology.HEADER_ITEM_SEQ, seq);
        headers.put(Topology.HEADER_ROUND, round);
        headers.put(Topology.HEADER_ATTEMPT, attempt);
        headers.put(Topology.HEADER_MAX_ATTEMPTS, maxAttempts);
        headers.put(Topology.HEADER_OPERATION, operation);
        return headers;
    }
}
