@NullMarked
package io.batchline.api.query;

import org.jspecify.annotations.NullMarked;
