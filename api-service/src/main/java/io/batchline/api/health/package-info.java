/**
 * The operations surface of seed 000: {@code GET /api/batches/health}, the seed's metrics
 * ({@code batch_operations_total}, {@code batch_processing_duration_seconds},
 * {@code batch_pending_operations}) and the broker resources they report.
 */
@NullMarked
package io.batchline.api.health;

import org.jspecify.annotations.NullMarked;
