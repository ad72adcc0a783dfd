package io.batchline.api.control;

import io.batchline.api.dispatch.ItemDispatcher;
import io.batchline.api.problem.BatchRejected;
import io.batchline.api.security.AuditTrail;
import io.batchline.api.security.Caller;
import org.springframework.transaction.support.TransactionTemplate;
import io.batchline.model.status.BatchStatus;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/batches/{id}/cancel} and {@code POST /api/batches/{id}/retry}. */
@RestController
@RequestMapping("/api/batches/{batchId}")
class BatchControl {

    private final BatchStopper stopper;
    private final RetryRound retryRound;
    private final ItemDispatcher dispatcher;
    private final JdbcClient jdbc;
    private final AuditTrail audit;
    private final TransactionTemplate transaction;

    BatchControl(BatchStopper stopper, RetryRound retryRound, ItemDispatcher dispatcher, JdbcClient jdbc, AuditTrail audit,
                 TransactionTemplate transaction) {
        this.audit = audit;
        this.transaction = transaction;
        this.stopper = stopper;
        this.retryRound = retryRound;
        this.dispatcher = dispatcher;
        this.jdbc = jdbc;
    }

    /** 404 for a batch that does not exist or belongs to another tenant. */
    private void requireVisible(UUID batchId, Caller caller) {
        boolean visible = jdbc.sql("SELECT creator FROM batches WHERE id = :id").param("id", batchId)
                .query(String.class).optional().map(caller::canSee).orElse(false);
        if (!visible) {
            throw BatchRejected.notFound("batch " + batchId);
        }
    }

    @PostMapping("/cancel")
    @ApiResponse(responseCode = "202", description = "stopping: the batch ends cancelled once its running items have finished")
    @ApiResponse(responseCode = "409", ref = "#/components/responses/Conflict")
    ResponseEntity<Map<String, Object>> cancel(@PathVariable UUID batchId, Caller caller) {
        requireVisible(batchId, caller);
        if (!transaction.execute(status -> {
            boolean stopped = stopper.stop(batchId, BatchStatus.CANCELLED, "cancelled on request by tenant " + caller.tenant());
            if (stopped) {
                audit.record(caller, "batch.cancelled", batchId.toString(), Map.of());
            }
            return stopped;
        })) {
            String status = jdbc.sql("SELECT status FROM batches WHERE id = :id").param("id", batchId)
                    .query(String.class).optional()
                    .orElseThrow(() -> BatchRejected.notFound("batch " + batchId));
            if (BatchStatus.fromWireName(status) == BatchStatus.STOPPING) {
                throw new BatchRejected(HttpStatus.CONFLICT, "batch-stopping", "Batch already stopping",
                        "batch " + batchId + " is already stopping; it ends once its running items have finished",
                        Map.of("status", status));
            }
            throw new BatchRejected(HttpStatus.CONFLICT, "batch-ended", "Batch already ended",
                    "batch " + batchId + " has already ended as " + status, Map.of("status", status));
        }
        // stopping: items not yet started end cancelled at once, running ones finish first
        return ResponseEntity.accepted().body(Map.of("batchId", batchId, "status", BatchStatus.STOPPING.wireName(),
                "stoppingAs", BatchStatus.CANCELLED.wireName(), "links", Map.of("self", "/api/batches/" + batchId)));
    }

    @PostMapping("/retry")
    @ApiResponse(responseCode = "202", description = "a new round runs the batch's failed items again")
    @ApiResponse(responseCode = "409", ref = "#/components/responses/Conflict")
    ResponseEntity<Map<String, Object>> retry(@PathVariable UUID batchId, Caller caller) {
        requireVisible(batchId, caller);
        int items = transaction.execute(status -> {
            int retried = retryRound.start(batchId);
            audit.record(caller, "batch.retried", batchId.toString(), Map.of("items", retried));
            return retried;
        });
        dispatcher.dispatchSoon(batchId);
        return ResponseEntity.accepted().body(Map.of("batchId", batchId, "status", "processing", "retriedItems", items,
                "links", Map.of("self", "/api/batches/" + batchId, "items", "/api/batches/" + batchId + "/items")));
    }
}
