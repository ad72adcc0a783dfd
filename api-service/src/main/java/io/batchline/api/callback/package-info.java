/** Completion callbacks: outbox, signed delivery with retries, and the outbound address policy. */
@NullMarked
package io.batchline.api.callback;

import org.jspecify.annotations.NullMarked;
