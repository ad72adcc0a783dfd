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
    /** Fanout for broadcast control events such as cancel. */
    public static final String CONTROL_EXCHANGE = "batch.control";

    public static final String HEADER_BATCH_ID = "x-batch-id";
    public static final String HEADER_ITEM_SEQ = "x-item-seq";
    public static final String HEADER_ATTEMPT = "x-attempt";
    public static final String HEADER_OPERATION = "x-operation";

    private Topology() {
    }

    public static String itemQueue(String operation) {
        return ITEMS_EXCHANGE + "." + operation;
    }

    public static String deadQueue(String operation) {
        return DEAD_EXCHANGE + "." + operation;
    }

    /** {@code <batchId>:<seq>:<attempt>}: unique per delivery attempt, stable across re-publishes. */
    public static String messageId(java.util.UUID batchId, int seq, int attempt) {
        return batchId + ":" + seq + ":" + attempt;
    }
}
