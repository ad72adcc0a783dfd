package io.batchline.api.submission;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotEmpty;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a JSON submission looks like, for the OpenAPI description only: {@link SubmissionReader}
 * reads the body as a token stream (a 100,000-item batch never exists as a list), so nothing
 * binds this record; it states the same rules the reader enforces.
 */
@Schema(name = "BatchRequest", description = "A batch: one operation and its items", additionalProperties = Schema.AdditionalPropertiesValue.FALSE)
record BatchRequest(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "content.update-price",
                description = "a built-in operation: noop, content.update-price, user.create, user.update, user.soft-delete, "
                        + "user.touch-login, user.lookup, http.call")
        String operation,
        @Schema(description = "the tenant the batch belongs to: the caller's own; only an admin key may name another")
        @Nullable String creator,
        @Nullable BatchOptions options,
        @Schema(description = "free top-level values to search batches by (q=…); at most BATCH_MAX_METADATA_BYTES")
        @Nullable Map<String, Object> metadata,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED,
                description = "the items, each an object whose fields the operation defines (see the README's Operations)")
        @NotEmpty List<Map<String, Object>> items) {
}
