@NullMarked
package io.batchline.worker.operations.noop;

import org.jspecify.annotations.NullMarked;
