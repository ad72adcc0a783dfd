@NullMarked
package io.batchline.api.messaging;

import org.jspecify.annotations.NullMarked;
