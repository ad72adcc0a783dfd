@NullMarked
package io.batchline.worker.ratelimit;

import org.jspecify.annotations.NullMarked;
