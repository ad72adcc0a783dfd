/** Runtime helpers both services share; contracts (messages, names, states) live in common-model. */
@NullMarked
package io.batchline.support;

import org.jspecify.annotations.NullMarked;
