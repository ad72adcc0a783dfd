package io.batchline.api.submission;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * How a batch runs. Unknown fields are refused (a misspelt option must not silently do
 * nothing); missing ones take the defaults below.
 *
 * @param maxAttempts           tries per item before it fails for good (1-100, default 5)
 * @param continueOnError       false stops the batch at the first permanent failure
 * @param timeoutSeconds        deadline from submission, or null for none
 * @param callbackUrl           POSTed the batch summary when it ends
 * @param maxFailureRate        stop the batch once more than this share of items failed
 * @param minItemsBeforeBreaker items that must have ended before the failure rate counts
 * @param chunkSize             most items of this batch a worker hands its handler at once (1-1000,
 *                              default 100; a worker's own {@code WORKER_CHUNK_SIZE} caps it)
 * @param maxConcurrency        most chunks of this batch one worker runs at the same time (1-10,
 *                              default 5; a worker's own consumer count caps it)
 * @param priority              1-10, default 5: scales the batch's dispatch window (items in the
 *                              queues at once) by {@code priority / 5}, so its share of the workers
 *                              while batches compete; a lone batch runs at full speed at any priority
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(additionalProperties = Schema.AdditionalPropertiesValue.FALSE) // unknown options are refused
public record BatchOptions(
        @Min(1) @Max(100) @Nullable Integer maxAttempts,
        @Nullable Boolean continueOnError,
        @Min(1) @Max(604_800) @Nullable Integer timeoutSeconds,
        @Size(max = 2048) @Nullable String callbackUrl,
        @DecimalMin("0.0") @DecimalMax("1.0") @Nullable Double maxFailureRate,
        @Min(1) @Max(10_000_000) @Nullable Integer minItemsBeforeBreaker,
        @Min(1) @Max(1000) @Nullable Integer chunkSize,
        @Min(1) @Max(10) @Nullable Integer maxConcurrency,
        @Min(1) @Max(10) @Nullable Integer priority) {

    public static final BatchOptions DEFAULTS = new BatchOptions(5, true, null, null, null, null, 100, 5, 5);

    /** These options with every missing value filled in from the defaults. */
    public BatchOptions withDefaults() {
        return new BatchOptions(
                maxAttempts != null ? maxAttempts : DEFAULTS.maxAttempts,
                continueOnError != null ? continueOnError : DEFAULTS.continueOnError,
                timeoutSeconds, callbackUrl, maxFailureRate,
                maxFailureRate != null && minItemsBeforeBreaker == null ? Integer.valueOf(100) : minItemsBeforeBreaker,
                chunkSize != null ? chunkSize : DEFAULTS.chunkSize,
                maxConcurrency != null ? maxConcurrency : DEFAULTS.maxConcurrency,
                priority != null ? priority : DEFAULTS.priority);
    }
}
