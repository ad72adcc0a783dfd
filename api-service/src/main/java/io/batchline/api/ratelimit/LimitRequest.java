package io.batchline.api.ratelimit;

import io.batchline.api.problem.BatchRejected;
import io.batchline.model.ratelimit.RateLimitRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.JsonNode;

/**
 * Reads the body of {@code PUT /api/admin/rate-limits/{operation}}: {@code {"items": 500,
 * "period": "3s", "burst": 500}} ({@code period} also as ISO-8601, {@code "PT3S"};
 * {@code burst} defaults to {@code items}). Every wrong or unknown field is named in one
 * 400 answer, and the limit obeys the same {@link RateLimitRules} as {@code WORKER_RATE_LIMITS}.
 */
final class LimitRequest {

    private static final Set<String> FIELDS = Set.of("items", "period", "burst");
    private static final String DURATION_EXAMPLE = "must be a duration such as \"3s\", \"500ms\" or \"PT3S\"";

    private LimitRequest() {
    }

    /** The body's shape, for the OpenAPI description: {@link #read} checks the same rules field by field. */
    @io.swagger.v3.oas.annotations.media.Schema(name = "RateLimitChange",
            additionalProperties = io.swagger.v3.oas.annotations.media.Schema.AdditionalPropertiesValue.FALSE)
    record Body(
            @io.swagger.v3.oas.annotations.media.Schema(requiredMode = io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED,
                    minimum = "1", maximum = "1000000000") long items,
            @io.swagger.v3.oas.annotations.media.Schema(requiredMode = io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED,
                    example = "3s", description = "\"3s\", \"500ms\" or ISO-8601 \"PT3S\"; 1 ms to 24 h") String period,
            @io.swagger.v3.oas.annotations.media.Schema(minimum = "1", description = "default: items") @Nullable Long burst) {
    }

    static Limit read(JsonNode body) {
        Map<String, String> wrong = new LinkedHashMap<>();
        if (!body.isObject()) {
            wrong.put("(body)", "must be a JSON object such as {\"items\": 500, \"period\": \"3s\"}");
            throw invalid(wrong);
        }
        for (String name : body.propertyNames()) {
            if (!FIELDS.contains(name)) {
                wrong.put(name, "is not a field of a rate limit (items, period, burst)");
            }
        }
        Long items = wholeNumber(body.get("items"), "items", true, wrong);
        Duration period = duration(body.get("period"), wrong);
        Long burst = wholeNumber(body.get("burst"), "burst", false, wrong);
        if (!wrong.isEmpty() || items == null || period == null) {
            throw invalid(wrong);
        }
        long burstOrItems = burst == null ? items : burst;
        wrong.putAll(RateLimitRules.violations(items, period, burstOrItems));
        if (burst == null) {
            wrong.remove("burst"); // not sent: only items is wrong
        }
        if (!wrong.isEmpty()) {
            throw invalid(wrong);
        }
        return new Limit(items, period, burstOrItems);
    }

    private static @Nullable Long wholeNumber(@Nullable JsonNode value, String field, boolean required, Map<String, String> wrong) {
        if (value == null || value.isNull()) {
            if (required) {
                wrong.put(field, "is required");
            }
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            wrong.put(field, "must be a whole number between 1 and " + RateLimitRules.MAX_ITEMS);
            return null;
        }
        return value.longValue();
    }

    private static @Nullable Duration duration(@Nullable JsonNode value, Map<String, String> wrong) {
        if (value == null || value.isNull()) {
            wrong.put("period", "is required; " + DURATION_EXAMPLE);
            return null;
        }
        if (!value.isString() || value.asString().isBlank() || value.asString().length() > 40) {
            wrong.put("period", DURATION_EXAMPLE);
            return null;
        }
        try {
            return DurationStyle.detectAndParse(value.asString().trim());
        } catch (IllegalArgumentException | ArithmeticException e) {
            wrong.put("period", DURATION_EXAMPLE);
            return null;
        }
    }

    private static BatchRejected invalid(Map<String, String> wrong) {
        List<Map<String, String>> errors = new ArrayList<>();
        wrong.forEach((field, message) -> errors.add(Map.of("field", field, "message", message)));
        String detail = String.join("; ", wrong.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList())
                + "; nothing was changed";
        return new BatchRejected(HttpStatus.BAD_REQUEST, "invalid-rate-limit", "Invalid rate limit", detail, Map.of("errors", errors));
    }
}
