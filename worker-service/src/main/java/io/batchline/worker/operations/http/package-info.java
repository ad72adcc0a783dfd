/**
 * {@code http.call}: one HTTP request per item to hosts on an allow-list, with a per-host
 * concurrency cap, an optional per-host rate limit shared by all workers, and retries of
 * 5xx, 429 and timeouts through the delay tiers.
 */
@NullMarked
package io.batchline.worker.operations.http;

import org.jspecify.annotations.NullMarked;
