@NullMarked
package io.batchline.api.support;

import org.jspecify.annotations.NullMarked;
