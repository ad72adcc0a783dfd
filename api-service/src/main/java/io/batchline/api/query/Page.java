package io.batchline.api.query;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** One page of a list; {@code nextCursor} is null on the last page. */
public record Page<T>(List<T> data, @Nullable String nextCursor) {
}
