package io.batchline.api.submission;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How submissions are stored, beyond their limits.
 *
 * @param secretPepper   key of the HMAC that replaces secret fields (passwords) before anything is stored
 *                       ({@code BATCH_SECRET_PEPPER}, at least 16 characters, keep it stable)
 * @param idempotencyTtl how long an {@code Idempotency-Key} is remembered ({@code BATCH_IDEMPOTENCY_TTL})
 */
@ConfigurationProperties("batch")
@Validated
public record SubmissionSettings(
        @NotBlank(message = "BATCH_SECRET_PEPPER must be set") @Size(min = 16, message = "BATCH_SECRET_PEPPER must be at least 16 characters")
        String secretPepper,
        @DefaultValue("24h") Duration idempotencyTtl) {
}
