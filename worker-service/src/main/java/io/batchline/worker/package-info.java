@NullMarked
package io.batchline.worker;

import org.jspecify.annotations.NullMarked;
