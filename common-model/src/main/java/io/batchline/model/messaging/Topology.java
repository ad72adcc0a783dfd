package io.batchline.model.messaging;

/**
 * Names of every exchange, queue and header that crosses a service boundary. Each service
 * declares its part of the topology from these names in one place; no listener or
 * publisher spells a queue name itself.
 */
public final class Topology {

    /** Direct exchange for work items; the routing key is the operation name. */
    public static final String ITEMS_EXCHANGE = "batch.items";
    /** Dead-letter exchange for items that cannot succeed; routing key is the operation. */
    public static final String DEAD_EXCHANGE = "batch.dead";
    /** Exchange and quorum queue the tracker consumes item results from. */
    public static final String RESULTS_EXCHANGE = "batch.results";
    public static final String RESULTS_QUEUE = "batch.results";
    /** Where result messages the tracker cannot read end up, instead of looping. */
    public static final String RESULTS_DEAD_QUEUE = "batch.dead.results";
    public static final String RESULTS_ROUTING_KEY = "results";
    /**
     * What workers say about items still in hand (started, crashed, retrying), sent to the
     * results exchange with this routing key and recorded by the API's activity recorder.
     */
    public static final String ACTIVITY_QUEUE = "batch.activity";
    public static final String ACTIVITY_ROUTING_KEY = "activity";
    /** Fanout that tells every API instance which users a worker changed (lookup cache eviction). */
    public static final String USERS_CHANGED_EXCHANGE = "batch.users.changed";
    /** Fanout for broadcast control events such as cancel. */
    public static final String CONTROL_EXCHANGE = "batch.control";

    /** Queue of the API's dead-letter recorder: sees every dead letter, records the broker's. */
    public static final String DEAD_RECORDER_QUEUE = "batch.dead.recorder";
    /** Dead letters the recorder could not record (poison for it), kept for replay. */
    public static final String UNRECORDED_QUEUE = "batch.dead.unrecorded";
    public static final String UNRECORDED_ROUTING_KEY = "unrecorded";

    /** Delay tiers for retries: attempt 1 waits 1 s, attempt 2 waits 5 s, ... the last tier repeats. */
    public static final java.util.List<RetryTier> RETRY_TIERS = java.util.List.of(
            new RetryTier("1s", java.time.Duration.ofSeconds(1)),
            new RetryTier("5s", java.time.Duration.ofSeconds(5)),
            new RetryTier("30s", java.time.Duration.ofSeconds(30)),
            new RetryTier("2m", java.time.Duration.ofMinutes(2)));

    /** One delay tier: a fanout exchange and a TTL queue of the same name. */
    public record RetryTier(String name, java.time.Duration delay) {

        public String exchange() {
            return "batch.retry." + name;
        }
    }

    /** The tier a retry after the given (failed) attempt waits in. */
    public static RetryTier retryTierAfter(int failedAttempt) {
        return RETRY_TIERS.get(Math.min(Math.max(failedAttempt, 1), RETRY_TIERS.size()) - 1);
    }

    public static final String HEADER_BATCH_ID = "x-batch-id";
    public static final String HEADER_ITEM_SEQ = "x-item-seq";
    /**
     * On a pack (one message carrying several items of one batch, round and attempt): the
     * items' seqs in the order of the body's JSON array of payloads. {@link #HEADER_ITEM_SEQ}
     * is then the first of them. Retries, dead letters and isolation copies are single items.
     */
    public static final String HEADER_PACK_SEQS = "x-item-seqs";
    public static final String HEADER_ATTEMPT = "x-attempt";
    public static final String HEADER_OPERATION = "x-operation";
    /** The attempt after which the item fails for good (absolute: attempts count across rounds). */
    public static final String HEADER_MAX_ATTEMPTS = "x-max-attempts";
    public static final String HEADER_ROUND = "x-round";
    /** The tenant that owns the batch: the only owner whose rows its items may change. */
    public static final String HEADER_TENANT = "x-tenant";
    /** The batch's {@code chunkSize} option: most items of the batch a handler gets at once. */
    public static final String HEADER_CHUNK_SIZE = "x-chunk-size";
    /** The batch's {@code maxConcurrency} option: most chunks of the batch a worker runs at once. */
    public static final String HEADER_MAX_CONCURRENCY = "x-max-concurrency";
    /**
     * {@code <reason> <queue>} of the broker's first {@code x-death}, kept when a dead letter is
     * re-published by the API (a broker ignores an {@code x-death} set by a client).
     */
    public static final String HEADER_DEATH = "x-batchline-death";
    /** On retries and dead letters: why the previous attempt failed ({@code code: message}). */
    public static final String HEADER_LAST_ERROR = "x-last-error";
    /**
     * W3C trace context of the span that published an item message (the batch's dispatch
     * run); the worker's span for the item continues that trace. Retries and dead letters
     * keep it.
     */
    public static final String HEADER_TRACE_PARENT = "traceparent";
    /**
     * On a results message: a table of batch id to the W3C trace context of the worker span
     * that produced those results, so the tracker's span joins each batch's trace.
     */
    public static final String HEADER_TRACE_PARENTS = "x-trace-parents";

    private Topology() {
    }

    public static String itemQueue(String operation) {
        return ITEMS_EXCHANGE + "." + operation;
    }

    /**
     * Where a worker moves an item the broker redelivered (its previous worker died with it
     * in flight): consumed one at a time, so only a poison item keeps dying there.
     */
    public static String isolationQueue(String operation) {
        return itemQueue(operation) + ".isolation";
    }

    public static String deadQueue(String operation) {
        return DEAD_EXCHANGE + "." + operation;
    }

}
