package io.batchline.api.ratelimit;

import io.batchline.api.problem.BatchRejected;
import io.batchline.api.security.Caller;
import io.batchline.api.submission.SubmissionLimits;
import io.batchline.model.operations.Operations;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Admin-only (the API-key filter sees to it): the workers' global rate limits, read and
 * changed at run time. {@code PUT} sets an operation's override, {@code DELETE} removes it
 * (back to {@code WORKER_RATE_LIMITS}, or to no limit); every worker puts a change in force
 * within its refresh interval ({@code WORKER_RATE_LIMIT_REFRESH}, 2 s), on the bucket they
 * share. Each answer shows the limit in force and where it comes from.
 */
@RestController
@RequestMapping("/api/admin/rate-limits")
class RateLimitAdmin {

    private final RateLimitStore store;
    private final List<String> operations;

    RateLimitAdmin(RateLimitStore store, SubmissionLimits limits) {
        this.store = store;
        this.operations = Operations.names(limits.testOperations()).stream().sorted().toList();
    }

    /** One operation's limits; {@code limit} is the one in force ({@code source}: override, env or none). */
    record View(String operation, String source, @Nullable Values limit, @Nullable OverrideValues override,
                @Nullable EnvironmentValues environment) {
    }

    record Values(long items, String period, long burst, double itemsPerSecond) {
        static Values of(Limit limit) {
            return new Values(limit.items(), limit.period().toString(), limit.burst(), limit.itemsPerSecond());
        }
    }

    record OverrideValues(long items, String period, long burst, double itemsPerSecond, Instant updatedAt, String updatedBy) {
    }

    record EnvironmentValues(long items, String period, long burst, double itemsPerSecond, Instant reportedAt) {
    }

    @GetMapping
    Map<String, Object> list(@RequestParam(defaultValue = "50") int limit, @RequestParam(required = false) @Nullable String cursor) {
        if (limit < 1 || limit > 1000) {
            throw BatchRejected.badRequest("invalid-parameter", "Invalid parameter", "limit must be between 1 and 1000");
        }
        String after = cursor == null ? null : afterCursor(cursor);
        List<String> page = operations.stream().filter(op -> after == null || op.compareTo(after) > 0).limit(limit).toList();
        Map<String, RateLimitStore.Override> overrides = store.overrides(null);
        Map<String, RateLimitStore.Environment> environment = store.environment(null);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", page.stream().map(op -> view(op, overrides, environment)).toList());
        boolean more = !page.isEmpty() && operations.indexOf(page.getLast()) < operations.size() - 1;
        body.put("nextCursor", more ? cursorAfter(page.getLast()) : null);
        return body;
    }

    @GetMapping("/{operation}")
    View get(@PathVariable String operation) {
        return current(known(operation));
    }

    @PutMapping(path = "/{operation}", consumes = MediaType.APPLICATION_JSON_VALUE)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @io.swagger.v3.oas.annotations.media.Content(
            mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @io.swagger.v3.oas.annotations.media.Schema(implementation = LimitRequest.Body.class)))
    View put(@PathVariable String operation, @RequestBody JsonNode body, Caller caller) {
        String known = known(operation);
        store.put(known, LimitRequest.read(body), caller);
        return current(known);
    }

    @DeleteMapping("/{operation}")
    View reset(@PathVariable String operation, Caller caller) {
        String known = known(operation);
        store.reset(known, caller);
        return current(known);
    }

    private View current(String operation) {
        return view(operation, store.overrides(operation), store.environment(operation));
    }

    private static View view(String operation, Map<String, RateLimitStore.Override> overrides,
                             Map<String, RateLimitStore.Environment> environment) {
        RateLimitStore.Override override = overrides.get(operation);
        RateLimitStore.Environment fromEnvironment = environment.get(operation);
        OverrideValues overrideValues = override == null ? null : new OverrideValues(override.limit().items(),
                override.limit().period().toString(), override.limit().burst(), override.limit().itemsPerSecond(),
                override.updatedAt(), override.updatedBy());
        EnvironmentValues environmentValues = fromEnvironment == null ? null : new EnvironmentValues(
                fromEnvironment.limit().items(), fromEnvironment.limit().period().toString(), fromEnvironment.limit().burst(),
                fromEnvironment.limit().itemsPerSecond(), fromEnvironment.reportedAt());
        if (override != null) {
            return new View(operation, "override", Values.of(override.limit()), overrideValues, environmentValues);
        }
        if (fromEnvironment != null) {
            return new View(operation, "env", Values.of(fromEnvironment.limit()), null, environmentValues);
        }
        return new View(operation, "none", null, null, null);
    }

    private String known(String operation) {
        if (!operations.contains(operation)) {
            String message = "no operation '" + operation + "'; the operations are " + operations;
            throw new BatchRejected(HttpStatus.NOT_FOUND, "not-found", "Not found", "operation " + operation + " does not exist",
                    Map.of("errors", List.of(Map.of("field", "operation", "message", message)), "operations", operations));
        }
        return operation;
    }

    private static String cursorAfter(String operation) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("o:" + operation).getBytes(StandardCharsets.UTF_8));
    }

    private static String afterCursor(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (raw.startsWith("o:") && raw.length() > 2) {
                return raw.substring(2);
            }
        } catch (IllegalArgumentException e) {
            // falls through to the rejection below
        }
        throw BatchRejected.badRequest("invalid-cursor", "Invalid cursor", "cursor is not one this API handed out");
    }
}
