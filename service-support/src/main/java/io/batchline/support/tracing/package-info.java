/**
 * Following a batch's items across processes: trace context on the item and results
 * messages ({@link io.batchline.support.tracing.ItemTracing}) and the log fields every line
 * on the item path carries ({@link io.batchline.support.tracing.ItemLogFields}).
 */
@NullMarked
package io.batchline.support.tracing;

import org.jspecify.annotations.NullMarked;
