@NullMarked
package io.batchline.worker.messaging;

import org.jspecify.annotations.NullMarked;
