/**
 * Progress streams: server-sent events of one batch's progress ({@code /api/batches/{id}/events})
 * and of the running batches of a tenant ({@code /api/batches/events}), fed by one shared
 * poller of the database per API instance, so they work whichever instance records results.
 */
@NullMarked
package io.batchline.api.stream;

import org.jspecify.annotations.NullMarked;
