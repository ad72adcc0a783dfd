@NullMarked
package io.batchline.model.status;

import org.jspecify.annotations.NullMarked;
