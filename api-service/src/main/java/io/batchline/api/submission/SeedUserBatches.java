package io.batchline.api.submission;

import io.batchline.api.problem.BatchRejected;
import io.batchline.api.security.Caller;
import io.batchline.api.security.SubmissionRateLimit;
import io.batchline.model.operations.Operations;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Seed 003's user-batch endpoints over the same pipeline as {@code POST /api/batches}: each
 * request becomes one batch of a built-in user operation, with the seed's {@code options}
 * ({@code chunkSize}, {@code maxConcurrency}, {@code continueOnError}) as the batch's
 * options. The answer has the seed's shape ({@code success}, {@code message}, {@code data},
 * {@code failed}, {@code stats}) beside the batch id and links: the work is asynchronous, so
 * {@code stats} counts what was accepted and the batch's links give the outcome per user.
 */
@RestController
@RequestMapping(path = "/batch/users", consumes = MediaType.APPLICATION_JSON_VALUE)
class SeedUserBatches {

    record CreateUsers(@NotNull @NotEmpty List<JsonNode> users, @Nullable JsonNode options) {
    }

    record UpdateUsers(@NotNull @NotEmpty List<JsonNode> updates, @Nullable JsonNode options) {
    }

    record UserIds(@NotNull @NotEmpty List<JsonNode> userIds, @Nullable JsonNode options) {
    }

    private final BatchSubmission submission;
    private final SubmissionLimits limits;
    private final SubmissionRateLimit rateLimit;

    SeedUserBatches(BatchSubmission submission, SubmissionLimits limits, SubmissionRateLimit rateLimit) {
        this.submission = submission;
        this.limits = limits;
        this.rateLimit = rateLimit;
    }

    @PostMapping("/create")
    @ApiResponse(responseCode = "202", description = "accepted as one user.create batch")
    @ApiResponse(responseCode = "429", ref = "#/components/responses/TooManyRequests")
    ResponseEntity<Map<String, Object>> create(@Valid @RequestBody CreateUsers request, Caller caller) {
        return submit(Operations.USER_CREATE.name(), request.users(), request.options(), user -> user, "creation", caller);
    }

    /** The seed's {@code {id, data: {name, email}}} becomes a {@code user.update} item. */
    @PatchMapping("/update")
    @ApiResponse(responseCode = "202", description = "accepted as one user.update batch")
    @ApiResponse(responseCode = "429", ref = "#/components/responses/TooManyRequests")
    ResponseEntity<Map<String, Object>> update(@Valid @RequestBody UpdateUsers request, Caller caller) {
        return submit(Operations.USER_UPDATE.name(), request.updates(), request.options(), update -> {
            ObjectNode item = JsonNodeFactory.instance.objectNode();
            if (!update.isObject()) {
                return update; // refused by item validation, which names the item
            }
            update.properties().forEach(field -> {
                switch (field.getKey()) {
                    case "id" -> item.set("userId", field.getValue());
                    case "data" -> {
                        if (field.getValue().isObject()) {
                            field.getValue().properties().forEach(change -> item.set(change.getKey(), change.getValue()));
                        } else {
                            item.set("data", field.getValue());
                        }
                    }
                    default -> item.set(field.getKey(), field.getValue());
                }
            });
            return item;
        }, "update", caller);
    }

    @PatchMapping("/last-login")
    @ApiResponse(responseCode = "202", description = "accepted as one user.touch-login batch")
    @ApiResponse(responseCode = "429", ref = "#/components/responses/TooManyRequests")
    ResponseEntity<Map<String, Object>> lastLogin(@Valid @RequestBody UserIds request, Caller caller) {
        return submit(Operations.USER_TOUCH_LOGIN.name(), request.userIds(), request.options(), SeedUserBatches::userRef,
                "last-login update", caller);
    }

    @DeleteMapping("/soft-delete")
    @ApiResponse(responseCode = "202", description = "accepted as one user.soft-delete batch")
    @ApiResponse(responseCode = "429", ref = "#/components/responses/TooManyRequests")
    ResponseEntity<Map<String, Object>> softDelete(@Valid @RequestBody UserIds request, Caller caller) {
        return submit(Operations.USER_SOFT_DELETE.name(), request.userIds(), request.options(), SeedUserBatches::userRef,
                "soft delete", caller);
    }

    private static JsonNode userRef(JsonNode id) {
        ObjectNode item = JsonNodeFactory.instance.objectNode();
        item.set("userId", id);
        return item;
    }

    private ResponseEntity<Map<String, Object>> submit(String operation, List<JsonNode> entries, @Nullable JsonNode options,
                                                       Function<JsonNode, JsonNode> toItem, String what, Caller caller) {
        rateLimit.acquireRequest(caller);
        if (entries.size() > limits.maxItems()) {
            throw new BatchRejected(HttpStatus.CONTENT_TOO_LARGE, "too-many-items", "Too many items",
                    "a batch may hold at most " + limits.maxItems() + " items", Map.of("maxItems", limits.maxItems()));
        }
        BatchSubmission.Accepted accepted = submission.submit(draft -> {
            draft.operation(operation);
            if (options != null && !options.isNull()) {
                draft.options(options);
            }
            for (JsonNode entry : entries) {
                draft.item(toItem.apply(entry));
            }
        }, caller);
        String self = "/api/batches/" + accepted.batchId();
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("total", accepted.totalItems());
        stats.put("successful", 0);
        stats.put("failed", 0);
        stats.put("pending", accepted.totalItems());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        body.put("message", "Accepted " + what + " of " + accepted.totalItems() + " users as batch " + accepted.batchId());
        body.put("data", List.of());
        body.put("failed", List.of());
        body.put("stats", stats);
        body.put("batchId", accepted.batchId());
        body.put("status", accepted.status());
        body.put("totalItems", accepted.totalItems());
        body.put("links", Map.of("self", self, "items", self + "/items", "failedItems", self + "/items?status=failed"));
        return ResponseEntity.accepted().location(URI.create(self)).body(body);
    }
}
