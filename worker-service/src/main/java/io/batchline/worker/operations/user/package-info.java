@NullMarked
package io.batchline.worker.operations.user;

import org.jspecify.annotations.NullMarked;
