@NullMarked
package io.batchline.api.problem;

import org.jspecify.annotations.NullMarked;
