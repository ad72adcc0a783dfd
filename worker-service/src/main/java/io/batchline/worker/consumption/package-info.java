@NullMarked
package io.batchline.worker.consumption;

import org.jspecify.annotations.NullMarked;
