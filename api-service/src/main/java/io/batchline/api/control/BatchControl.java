package io.batchline.api.control;

import io.batchline.api.dispatch.ItemDispatcher;
import io.batchline.api.problem.BatchRejected;
import io.batchline.model.status.BatchStatus;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
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

    BatchControl(BatchStopper stopper, RetryRound retryRound, ItemDispatcher dispatcher, JdbcClient jdbc) {
        this.stopper = stopper;
        this.retryRound = retryRound;
        this.dispatcher = dispatcher;
        this.jdbc = jdbc;
    }

    @PostMapping("/cancel")
    ResponseEntity<Map<String, Object>> cancel(@PathVariable UUID batchId) {
        if (!stopper.stop(batchId, BatchStatus.CANCELLED, "cancelled on request")) {
            String status = jdbc.sql("SELECT status FROM batches WHERE id = :id").param("id", batchId)
                    .query(String.class).optional()
                    .orElseThrow(() -> BatchRejected.notFound("batch " + batchId));
            throw new BatchRejected(HttpStatus.CONFLICT, "batch-ended", "Batch already ended",
                    "batch " + batchId + " has already ended as " + status, Map.of("status", status));
        }
        return ResponseEntity.accepted().body(Map.of("batchId", batchId, "status", "cancelled",
                "links", Map.of("self", "/api/batches/" + batchId)));
    }

    @PostMapping("/retry")
    ResponseEntity<Map<String, Object>> retry(@PathVariable UUID batchId) {
        int items = retryRound.start(batchId);
        dispatcher.dispatchSoon(batchId);
        return ResponseEntity.accepted().body(Map.of("batchId", batchId, "status", "processing", "retriedItems", items,
                "links", Map.of("self", "/api/batches/" + batchId, "items", "/api/batches/" + batchId + "/items")));
    }
}
