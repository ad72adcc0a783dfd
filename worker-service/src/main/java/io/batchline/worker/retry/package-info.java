/** What becomes of an item after an attempt: report it, retry it later, or give up. */
@NullMarked
package io.batchline.worker.retry;

import org.jspecify.annotations.NullMarked;
