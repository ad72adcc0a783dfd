@NullMarked
package io.batchline.model.operations;

import org.jspecify.annotations.NullMarked;
