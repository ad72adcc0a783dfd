package io.batchline.api.deadletter;

import io.batchline.model.messaging.Topology;
import io.batchline.model.operations.Operations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dead-letter queues and, for those an admin may replay, where a replayed message goes.
 * {@code batch.dead.<operation>} holds items already recorded failed (they are re-run with
 * the batch's retry, not replayed); the other two hold messages the API could not record,
 * which a replay hands back to their consumer.
 */
final class DeadLetterQueues {

    /** Replayable queue → the queue its messages go back to. */
    static final Map<String, String> REPLAY_TARGETS = Map.of(
            Topology.RESULTS_DEAD_QUEUE, Topology.RESULTS_QUEUE,
            Topology.UNRECORDED_QUEUE, Topology.DEAD_RECORDER_QUEUE);

    private DeadLetterQueues() {
    }

    static List<String> all(boolean withTestOperations) {
        List<String> queues = new ArrayList<>(List.of(Topology.RESULTS_DEAD_QUEUE, Topology.UNRECORDED_QUEUE));
        Operations.names(withTestOperations).forEach(operation -> queues.add(Topology.deadQueue(operation)));
        return queues;
    }

    static Optional<String> replayTarget(String queue) {
        return Optional.ofNullable(REPLAY_TARGETS.get(queue));
    }
}
