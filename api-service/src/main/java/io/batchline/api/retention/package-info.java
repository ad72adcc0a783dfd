/**
 * Retention (seeds 000 and 004): ended batches older than {@code BATCH_RETENTION} are
 * removed with everything that names them, in bounded chunks; an admin may remove one ended
 * batch at once.
 */
@NullMarked
package io.batchline.api.retention;

import org.jspecify.annotations.NullMarked;
