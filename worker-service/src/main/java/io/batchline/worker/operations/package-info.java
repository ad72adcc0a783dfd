@NullMarked
package io.batchline.worker.operations;

import org.jspecify.annotations.NullMarked;
