@NullMarked
package io.batchline.model.messaging;

import org.jspecify.annotations.NullMarked;
