package io.batchline.model.operations;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.jspecify.annotations.Nullable;

/** The JSON body of one item of an operation, validated with Bean Validation at submission. */
public interface ItemPayload {

    /**
     * The business key people search by (a content id, an email), shown beside the item's
     * result; null when the operation has none.
     */
    @JsonIgnore
    default @Nullable String itemKey() {
        return null;
    }
}
