@NullMarked
package io.batchline.api.submission;

import org.jspecify.annotations.NullMarked;
