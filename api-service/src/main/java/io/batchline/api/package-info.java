@NullMarked
package io.batchline.api;

import org.jspecify.annotations.NullMarked;
