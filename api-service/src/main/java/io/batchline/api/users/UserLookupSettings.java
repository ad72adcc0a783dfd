package io.batchline.api.users;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The user lookup's cache and limits.
 *
 * @param cacheTtl     how long a looked-up user (or its absence) is served from the cache
 *                     ({@code BATCH_USER_LOOKUP_CACHE_TTL}); the user operations evict what they change sooner
 * @param cacheSize    most users kept ({@code BATCH_USER_LOOKUP_CACHE_SIZE})
 * @param maxIds       most ids one lookup may ask for
 */
@ConfigurationProperties("batch.user-lookup")
@Validated
record UserLookupSettings(
        @DefaultValue("30s") Duration cacheTtl,
        @DefaultValue("100000") @Min(0) @Max(10_000_000) long cacheSize,
        @DefaultValue("1000") @Min(1) @Max(100_000) int maxIds) {
}
