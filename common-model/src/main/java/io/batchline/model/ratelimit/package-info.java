/** The rules of the workers' global rate limits and the tables the two services share for them. */
@NullMarked
package io.batchline.model.ratelimit;

import org.jspecify.annotations.NullMarked;
