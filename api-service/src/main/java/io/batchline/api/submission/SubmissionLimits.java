package io.batchline.api.submission;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * What one submission may contain.
 *
 * @param maxItems            items per batch ({@code BATCH_MAX_ITEMS})
 * @param maxBodyBytes        bytes of one submission's body ({@code BATCH_MAX_BODY_BYTES})
 * @param maxItemBytes        serialized size of one item ({@code BATCH_MAX_ITEM_BYTES})
 * @param maxMetadataBytes    serialized size of {@code metadata}
 * @param maxReportedErrors   item violations listed in one problem answer
 * @param testOperations      accept the test-only operations ({@code BATCH_TEST_OPERATIONS}); never in production
 */
@ConfigurationProperties("batch")
@Validated
public record SubmissionLimits(
        @DefaultValue("10000") @Min(1) @Max(10_000_000) int maxItems,
        @DefaultValue("64MB") DataSize maxBodyBytes,
        @DefaultValue("64KB") DataSize maxItemBytes,
        @DefaultValue("16KB") DataSize maxMetadataBytes,
        @DefaultValue("100") @Min(1) @Max(10_000) int maxReportedErrors,
        @DefaultValue("false") boolean testOperations) {
}
