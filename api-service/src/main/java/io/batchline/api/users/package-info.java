/** Seed 003's synchronous user lookup, served through a cache the user operations keep fresh. */
@NullMarked
package io.batchline.api.users;

import org.jspecify.annotations.NullMarked;
