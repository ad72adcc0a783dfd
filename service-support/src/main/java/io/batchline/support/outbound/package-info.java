/**
 * Where Batchline may send requests (callbacks, {@code http.call}): one rule for both
 * services, and the resolver hook that makes a request connect to the addresses the rule
 * checked.
 */
@NullMarked
package io.batchline.support.outbound;

import org.jspecify.annotations.NullMarked;
