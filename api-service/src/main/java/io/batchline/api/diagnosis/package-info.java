/**
 * {@code GET /api/batches/{id}/diagnosis}: why a batch has not finished, as facts read from
 * the database and the broker ({@link BatchFacts}) and one plain sentence written from them
 * ({@link DiagnosisSentence}).
 */
@NullMarked
package io.batchline.api.diagnosis;

import org.jspecify.annotations.NullMarked;
