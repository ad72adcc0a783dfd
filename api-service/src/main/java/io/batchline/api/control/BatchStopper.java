package io.batchline.api.control;

import io.batchline.api.dispatch.ItemDispatcher;
import io.batchline.api.support.StatusSql;
import io.batchline.model.messaging.BatchStopped;
import io.batchline.model.messaging.Topology;
import io.batchline.model.status.BatchStatus;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;

/**
 * Starts stopping a running batch, the one way every stop happens (cancel, fail-fast,
 * failure-rate breaker, deadline). The batch moves to {@code stopping} with the terminal
 * status the stop asks for; nothing else changes in this step. After commit:
 * <ul>
 * <li>the stop is broadcast, so workers report the batch's items of this round with the
 *     stop's outcome ({@code cancelled}/{@code timed_out}) instead of running them;
 * <li>the dispatcher ends the items it never published, at once.
 * </ul>
 * Items already running finish and are recorded as they ended. When the last item has a
 * result the batch takes its terminal status, so its counts are final from then on.
 */
@Component
public class BatchStopper {

    private static final Logger log = LoggerFactory.getLogger(BatchStopper.class);

    static final String STOP_BATCH = StatusSql.render("""
            UPDATE batches
               SET status = 'stopping', stop_status = :target, status_reason = :reason,
                   started_at = coalesce(started_at, now())
             WHERE id = :id AND status IN ({STOPPABLE})
            RETURNING round
            """);

    private final JdbcClient jdbc;
    private final RabbitTemplate rabbit;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private final ItemDispatcher dispatcher;

    BatchStopper(JdbcClient jdbc, RabbitTemplate rabbit, JsonMapper json, MeterRegistry meters, ItemDispatcher dispatcher) {
        this.jdbc = jdbc;
        this.rabbit = rabbit;
        this.json = json;
        this.meters = meters;
        this.dispatcher = dispatcher;
    }

    /**
     * Moves the batch to {@code stopping} towards {@code target} if it is still running;
     * false if it is already stopping or has ended. Joins the caller's transaction (or runs
     * in its own).
     */
    @Transactional(propagation = Propagation.REQUIRED)
    public boolean stop(UUID batchId, BatchStatus target, String reason) {
        if (!target.isStopTarget()) {
            throw new IllegalArgumentException("a batch is stopped as failed, cancelled or timed_out, not " + target);
        }
        Optional<Integer> round = jdbc.sql(STOP_BATCH).param("target", target.wireName()).param("reason", reason)
                .param("id", batchId).query(Integer.class).optional();
        if (round.isEmpty()) {
            return false;
        }
        meters.counter("batchline.batches.stopped", "status", target.wireName()).increment();
        log.info("Batch {} is stopping towards {}: {}", batchId, target.wireName(), reason);
        afterCommit(() -> {
            broadcast(new BatchStopped(batchId, round.get(), target.wireName(), reason));
            dispatcher.dispatchSoon(batchId);
        });
        return true;
    }

    private void broadcast(BatchStopped event) {
        try {
            rabbit.send(Topology.CONTROL_EXCHANGE, "", new Message(json.writeValueAsBytes(event), new MessageProperties()));
        } catch (RuntimeException e) {
            // workers also check a chunk's batches in the database before running it
            log.warn("Could not broadcast the stop of batch {}: {}", event.batchId(), e.getMessage());
        }
    }

    private static void afterCommit(Runnable action) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    action.run();
                }
            });
        } else {
            action.run();
        }
    }
}
