package io.batchline.api.query;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Item exports ({@code GET /api/batches/{id}/items} as NDJSON or CSV). Each running export
 * holds one database connection for as long as its client reads, so they are capped well
 * below the pool size.
 *
 * @param maxConcurrent    exports one API instance runs at once; another is refused with 429 ({@code BATCH_EXPORT_MAX_CONCURRENT})
 * @param fetchSize        rows the cursor fetches per round trip: the most rows the API holds at once
 * @param statementTimeout PostgreSQL's {@code statement_timeout} inside the export's transaction; it applies to each
 *                         fetch, so it bounds a stuck query, not the length of an export ({@code BATCH_EXPORT_STATEMENT_TIMEOUT})
 * @param retryAfter       the {@code Retry-After} a refused export is given
 */
@ConfigurationProperties("batch.export")
@Validated
record ExportSettings(
        @DefaultValue("2") @Min(1) @Max(100) int maxConcurrent,
        @DefaultValue("1000") @Min(10) @Max(100_000) int fetchSize,
        @DefaultValue("5m") @NotNull Duration statementTimeout,
        @DefaultValue("5s") @NotNull Duration retryAfter) {
}
