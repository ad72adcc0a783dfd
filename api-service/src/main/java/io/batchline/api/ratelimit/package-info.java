/**
 * The workers' global rate limits, read and changed at run time by an admin
 * ({@code /api/admin/rate-limits}): overrides stored in {@code rate_limit_overrides}, which
 * every worker reads every few seconds, and the environment's limits as workers report them.
 */
@NullMarked
package io.batchline.api.ratelimit;

import org.jspecify.annotations.NullMarked;
