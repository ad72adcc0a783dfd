@NullMarked
package io.batchline.worker.support;

import org.jspecify.annotations.NullMarked;
