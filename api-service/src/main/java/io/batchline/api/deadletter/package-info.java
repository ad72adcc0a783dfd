/** What reached a dead-letter queue: counted for metrics and alerts, and replayable by an admin. */
@NullMarked
package io.batchline.api.deadletter;

import org.jspecify.annotations.NullMarked;
