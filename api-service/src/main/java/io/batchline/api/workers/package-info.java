/** {@code GET /api/workers}: the workers seen lately, from the heartbeats they write. */
@NullMarked
package io.batchline.api.workers;

import org.jspecify.annotations.NullMarked;
