@NullMarked
package io.batchline.api.tracking;

import org.jspecify.annotations.NullMarked;
