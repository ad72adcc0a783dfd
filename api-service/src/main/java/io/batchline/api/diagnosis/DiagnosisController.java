package io.batchline.api.diagnosis;

import io.batchline.api.problem.BatchRejected;
import io.batchline.api.security.Caller;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/batches/{id}/diagnosis}: why the batch has not finished. Read on demand
 * (the dashboard's batch page polls it), never cached: a few aggregate queries over the
 * batch's pending items and one read of the broker. Another tenant's batch is answered like
 * a missing one.
 */
@RestController
class DiagnosisController {

    private final BatchFacts facts;

    DiagnosisController(BatchFacts facts) {
        this.facts = facts;
    }

    @GetMapping("/api/batches/{batchId}/diagnosis")
    Diagnosis diagnosis(@PathVariable UUID batchId, Caller caller) {
        BatchFacts.Batch batch = facts.batch(batchId).filter(b -> caller.canSee(b.creator()))
                .orElseThrow(() -> BatchRejected.notFound("batch " + batchId));
        Diagnosis.Facts gathered = facts.gather(batchId, batch);
        return new Diagnosis(batchId, batch.operation(), batch.status().wireName(), batch.status().isTerminal(),
                DiagnosisSentence.write(batch.operation(), batch.status(), gathered, batch.checkedAt()), gathered, batch.checkedAt());
    }
}
