package io.batchline.api.control;

import io.batchline.api.callback.CallbackOutbox;
import io.batchline.model.messaging.BatchStopped;
import io.batchline.model.messaging.Topology;
import io.batchline.model.status.BatchStatus;
import io.micrometer.core.instrument.MeterRegistry;
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
 * Stops a running batch, the one way every stop happens (cancel, fail-fast, failure-rate
 * breaker, deadline): the batch takes its final status and reason, and its pending items
 * end {@code cancelled} (or {@code timed_out} for a deadline) with the counters moved in the
 * same statement. After commit the stop is broadcast so workers skip the batch's items.
 */
@Component
public class BatchStopper {

    private static final Logger log = LoggerFactory.getLogger(BatchStopper.class);

    /** Error code of items cancelled because their batch stopped (a real outcome may still replace it). */
    public static final String STOPPED = "batch.stopped";
    public static final String DEADLINE = "batch.deadline";

    static final String STOP_BATCH = """
            UPDATE batches
               SET status = :status, status_reason = :reason, completed_at = now(),
                   started_at = coalesce(started_at, now()), dispatch_owner = NULL, dispatch_lease_until = NULL
             WHERE id = :id AND status IN ('pending', 'processing')
            """;
    static final String STOP_ITEMS = """
            WITH stopped AS (
                UPDATE batch_items
                   SET status = :itemStatus, error_code = :code, error_message = :reason, finished_at = now()
                 WHERE batch_id = :id AND status = 'pending'
                RETURNING 1
            )
            UPDATE batches
               SET cancelled = cancelled + CASE WHEN :itemStatus = 'cancelled' THEN (SELECT count(*) FROM stopped) ELSE 0 END,
                   timed_out = timed_out + CASE WHEN :itemStatus = 'timed_out' THEN (SELECT count(*) FROM stopped) ELSE 0 END
             WHERE id = :id
            """;

    private final JdbcClient jdbc;
    private final RabbitTemplate rabbit;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private final CallbackOutbox callbacks;

    BatchStopper(JdbcClient jdbc, RabbitTemplate rabbit, JsonMapper json, MeterRegistry meters, CallbackOutbox callbacks) {
        this.callbacks = callbacks;
        this.jdbc = jdbc;
        this.rabbit = rabbit;
        this.json = json;
        this.meters = meters;
    }

    /**
     * Stops the batch if it is still running; false if it had already ended. Joins the
     * caller's transaction (or runs in its own).
     */
    @Transactional(propagation = Propagation.REQUIRED)
    public boolean stop(UUID batchId, BatchStatus status, String reason) {
        if (!status.isTerminal() || status == BatchStatus.COMPLETED) {
            throw new IllegalArgumentException("a batch is stopped as failed, cancelled or timed_out, not " + status);
        }
        int stopped = jdbc.sql(STOP_BATCH).param("status", status.wireName()).param("reason", reason).param("id", batchId).update();
        if (stopped == 0) {
            return false;
        }
        boolean deadline = status == BatchStatus.TIMED_OUT;
        jdbc.sql(STOP_ITEMS)
                .param("itemStatus", deadline ? "timed_out" : "cancelled")
                .param("code", deadline ? DEADLINE : STOPPED)
                .param("reason", reason)
                .param("id", batchId)
                .update();
        callbacks.batchEnded(batchId);
        meters.counter("batchline.batches.finished", "status", status.wireName()).increment();
        log.info("Batch {} stopped as {}: {}", batchId, status.wireName(), reason);
        broadcastAfterCommit(new BatchStopped(batchId, status.wireName()));
        return true;
    }

    private void broadcastAfterCommit(BatchStopped event) {
        Runnable send = () -> {
            try {
                rabbit.send(Topology.CONTROL_EXCHANGE, "", new Message(json.writeValueAsBytes(event), new MessageProperties()));
            } catch (RuntimeException e) {
                // workers also check a chunk's batches in the database before running it
                log.warn("Could not broadcast the stop of batch {}: {}", event.batchId(), e.getMessage());
            }
        };
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    send.run();
                }
            });
        } else {
            send.run();
        }
    }
}
