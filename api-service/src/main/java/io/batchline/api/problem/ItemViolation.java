package io.batchline.api.problem;

import org.jspecify.annotations.Nullable;

/**
 * One reason an item was refused.
 *
 * @param index the item's position in {@code items} (0-based)
 * @param field the offending field's path inside the item, or null for the item as a whole
 */
public record ItemViolation(int index, @Nullable String field, String message) {
}
