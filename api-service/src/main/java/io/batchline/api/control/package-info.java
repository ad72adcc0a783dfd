@NullMarked
package io.batchline.api.control;

import org.jspecify.annotations.NullMarked;
