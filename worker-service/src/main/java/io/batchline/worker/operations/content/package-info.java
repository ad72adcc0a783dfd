@NullMarked
package io.batchline.worker.operations.content;

import org.jspecify.annotations.NullMarked;
