@NullMarked
package io.batchline.api.dispatch;

import org.jspecify.annotations.NullMarked;
