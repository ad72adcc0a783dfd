package io.batchline.api.retention;

import io.batchline.api.problem.BatchRejected;
import io.batchline.api.security.AuditTrail;
import io.batchline.api.security.Caller;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code DELETE /api/admin/batches/{id}}: an admin removes one ended batch now, without
 * waiting for retention (admin-only, like everything under {@code /api/admin}). The batch
 * and what names it go in one transaction, audited in it; its item rows follow within a
 * retention run. A batch still running is refused with its status: stop it first.
 */
@RestController
@RequestMapping("/api/admin/batches")
class AdminBatches {

    static final String LOCK = "SELECT creator, status, total FROM batches WHERE id = :id FOR UPDATE";

    private final BatchRemoval removal;
    private final JdbcClient jdbc;
    private final AuditTrail audit;
    private final TransactionTemplate transaction;

    AdminBatches(BatchRemoval removal, JdbcClient jdbc, AuditTrail audit, TransactionTemplate transaction) {
        this.removal = removal;
        this.jdbc = jdbc;
        this.audit = audit;
        this.transaction = transaction;
    }

    @DeleteMapping("/{batchId}")
    @ApiResponse(responseCode = "204", description = "deleted, with its callback rows, idempotency keys and audit entries")
    @ApiResponse(responseCode = "409", ref = "#/components/responses/Conflict")
    ResponseEntity<Void> delete(@PathVariable UUID batchId, Caller caller) {
        transaction.executeWithoutResult(tx -> {
            record Row(String creator, String status, int total) {
            }
            Row row = jdbc.sql(LOCK).param("id", batchId)
                    .query((rs, n) -> new Row(rs.getString(1), rs.getString(2), rs.getInt(3))).optional()
                    .orElseThrow(() -> BatchRejected.notFound("batch " + batchId));
            if (!removal.removeOne(batchId)) {
                throw new BatchRejected(HttpStatus.CONFLICT, "batch-not-ended", "Batch not ended",
                        "batch " + batchId + " is " + row.status() + "; only an ended batch can be deleted (cancel it first)",
                        Map.of("status", row.status()));
            }
            audit.record(caller, "batch.deleted", batchId.toString(),
                    Map.of("creator", row.creator(), "status", row.status(), "items", row.total()));
        });
        removal.counted(1, 0);
        return ResponseEntity.noContent().build();
    }
}
