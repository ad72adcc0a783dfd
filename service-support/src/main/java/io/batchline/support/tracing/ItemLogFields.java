package io.batchline.support.tracing;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * The fields every log line on the item path carries, through SLF4J's MDC: structured
 * (JSON) logs write them as fields, and {@code grep batchId=…} style searches find every
 * step of a batch. An item-level line names one item; a line about a chunk names its
 * batch(es) and the range of seqs and attempts it holds ({@code "12..261"}), so a search
 * for an item's batch finds the chunk that carried it.
 *
 * <p>Use in try-with-resources; closing restores what the thread had before, so nested
 * scopes (an item line inside a chunk) work.
 */
public final class ItemLogFields implements AutoCloseable {

    public static final String BATCH_ID = "batchId";
    public static final String SEQ = "seq";
    public static final String ATTEMPT = "attempt";
    public static final String OPERATION = "operation";
    public static final String TENANT = "tenant";

    private static final String[] KEYS = {BATCH_ID, SEQ, ATTEMPT, OPERATION, TENANT};

    private final @Nullable String[] previous = new String[KEYS.length];

    private ItemLogFields(@Nullable Object batchId, @Nullable String seq, @Nullable String attempt,
                          @Nullable String operation, @Nullable String tenant) {
        @Nullable String[] values = {batchId == null ? null : batchId.toString(), seq, attempt, operation, tenant};
        for (int i = 0; i < KEYS.length; i++) {
            previous[i] = MDC.get(KEYS[i]);
            if (values[i] != null) {
                MDC.put(KEYS[i], values[i]);
            }
        }
    }

    /** One item's attempt. */
    public static ItemLogFields item(Object batchId, int seq, int attempt, String operation, @Nullable String tenant) {
        return new ItemLogFields(batchId, Integer.toString(seq), Integer.toString(attempt), operation, tenant);
    }

    /** A whole batch (submission, dispatch, tracking): no single seq. */
    public static ItemLogFields batch(Object batchId, @Nullable String operation, @Nullable String tenant) {
        return new ItemLogFields(batchId, null, null, operation, tenant);
    }

    /** A batch's items {@code firstSeq..lastSeq} (a dispatch run's chunk). */
    public static ItemLogFields range(Object batchId, int firstSeq, int lastSeq, String operation, @Nullable String tenant) {
        return new ItemLogFields(batchId, range(firstSeq, lastSeq), null, operation, tenant);
    }

    /**
     * A chunk of items, possibly of several batches: batch ids and tenants comma-joined, seqs
     * and attempts as {@code min..max}.
     */
    public static <T> ItemLogFields chunk(Collection<T> items, Function<T, Object> batchId, ToIntFunction<T> seq,
                                          ToIntFunction<T> attempt, String operation, Function<T, @Nullable String> tenant) {
        if (items.isEmpty()) {
            return new ItemLogFields(null, null, null, operation, null);
        }
        // one pass, ids kept as they are and turned into text once per batch, not per item
        Set<Object> batches = new LinkedHashSet<>();
        Set<String> tenants = new LinkedHashSet<>();
        int minSeq = Integer.MAX_VALUE, maxSeq = Integer.MIN_VALUE, minAttempt = Integer.MAX_VALUE, maxAttempt = Integer.MIN_VALUE;
        for (T item : items) {
            batches.add(batchId.apply(item));
            String owner = tenant.apply(item);
            if (owner != null) {
                tenants.add(owner);
            }
            int s = seq.applyAsInt(item);
            int a = attempt.applyAsInt(item);
            minSeq = Math.min(minSeq, s);
            maxSeq = Math.max(maxSeq, s);
            minAttempt = Math.min(minAttempt, a);
            maxAttempt = Math.max(maxAttempt, a);
        }
        return new ItemLogFields(batches.stream().map(Object::toString).collect(Collectors.joining(",")), range(minSeq, maxSeq),
                range(minAttempt, maxAttempt), operation, tenants.isEmpty() ? null : String.join(",", tenants));
    }

    private static String range(int min, int max) {
        return min == max ? Integer.toString(min) : min + ".." + max;
    }

    @Override
    public void close() {
        for (int i = 0; i < KEYS.length; i++) {
            if (previous[i] == null) {
                MDC.remove(KEYS[i]);
            } else {
                MDC.put(KEYS[i], previous[i]);
            }
        }
    }
}
