@NullMarked
package io.batchline.worker.operations.crash;

import org.jspecify.annotations.NullMarked;
