package io.batchline.api.submission;

import io.batchline.api.problem.BatchRejected;
import io.batchline.api.security.Caller;
import io.batchline.api.security.SubmissionRateLimit;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.RequestHeader;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.deser.std.StdDeserializer;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** {@code POST /api/batches} (JSON or NDJSON) and the seeds' price-update endpoint. */
@RestController
@RequestMapping("/api/batches")
class SubmissionController {

    static final String NDJSON = "application/x-ndjson";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final BatchSubmission submission;
    private final SubmissionLimits limits;
    private final SubmissionRateLimit rateLimit;

    SubmissionController(BatchSubmission submission, SubmissionLimits limits, SubmissionRateLimit rateLimit) {
        this.rateLimit = rateLimit;
        this.submission = submission;
        this.limits = limits;
    }

    // the body is read as a stream, not bound: its shape is declared here (and merged with the NDJSON one)
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Submit a batch (JSON or NDJSON)", description = "202 with the new batch; with an "
            + "Idempotency-Key, a repeat of the same request returns the original batch (200, Idempotent-Replayed: true).",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content =
                    @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = BatchRequest.class))),
            responses = {
                    @ApiResponse(responseCode = "202", description = "accepted: stored, to be dispatched"),
                    @ApiResponse(responseCode = "200", description = "an Idempotency-Key replay: the original batch"),
                    @ApiResponse(responseCode = "422", ref = "#/components/responses/UnprocessableContent"),
                    @ApiResponse(responseCode = "429", ref = "#/components/responses/TooManyRequests")})
    ResponseEntity<BatchAccepted> submitJson(HttpServletRequest request, Caller caller,
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey) throws IOException {
        rateLimit.acquireRequest(caller);
        return accepted(submission.submitJson(limited(request), caller, idempotencyKey));
    }

    @PostMapping(consumes = NDJSON)
    @Operation(summary = "Submit a batch (JSON or NDJSON)",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content =
                    @Content(mediaType = NDJSON, schema = @Schema(type = "string",
                            description = "newline-delimited JSON: the first line is the batch without items "
                                    + "({operation, creator, options, metadata}), then one item object per line"))),
            responses = {
                    @ApiResponse(responseCode = "202", description = "accepted: stored, to be dispatched"),
                    @ApiResponse(responseCode = "200", description = "an Idempotency-Key replay: the original batch"),
                    @ApiResponse(responseCode = "422", ref = "#/components/responses/UnprocessableContent"),
                    @ApiResponse(responseCode = "429", ref = "#/components/responses/TooManyRequests")})
    ResponseEntity<BatchAccepted> submitNdjson(HttpServletRequest request, Caller caller,
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey) throws IOException {
        rateLimit.acquireRequest(caller);
        return accepted(submission.submitNdjson(limited(request), caller, idempotencyKey));
    }

    /** The body, refused at once when it announces too many bytes, and while streaming when it has more. */
    private java.io.InputStream limited(HttpServletRequest request) throws IOException {
        long limit = limits.maxBodyBytes().toBytes();
        if (request.getContentLengthLong() > limit) {
            throw LimitedStream.tooLarge(limit);
        }
        return new LimitedStream(request.getInputStream(), limit);
    }

    /**
     * The seeds' request: one new price for many contents of one creator. Strictly typed: a
     * number or boolean where a text belongs (or a text where the price belongs) is refused,
     * not converted, so what is stored is what was sent.
     */
    record PriceUpdateRequest(
            @JsonDeserialize(using = StrictText.class) @NotBlank @Size(max = 128) String creator,
            @JsonDeserialize(contentUsing = StrictText.class) @NotEmpty List<@NotBlank @Size(max = 128) String> contentIds,
            @JsonDeserialize(using = StrictNumber.class) @NotNull @DecimalMin("0") @Digits(integer = 15, fraction = 6) BigDecimal newPrice) {
    }

    /** A JSON string, and nothing converted into one. */
    static final class StrictText extends StdDeserializer<String> {

        StrictText() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) {
            if (parser.currentToken() != JsonToken.VALUE_STRING) {
                return (String) context.handleUnexpectedToken(String.class, parser);
            }
            return parser.getString();
        }
    }

    /** A JSON number, exactly, and nothing converted into one. */
    static final class StrictNumber extends StdDeserializer<BigDecimal> {

        StrictNumber() {
            super(BigDecimal.class);
        }

        @Override
        public BigDecimal deserialize(JsonParser parser, DeserializationContext context) {
            if (!parser.currentToken().isNumeric()) {
                return (BigDecimal) context.handleUnexpectedToken(BigDecimal.class, parser);
            }
            return parser.getDecimalValue();
        }
    }

    @PostMapping(path = "/batch-update-price", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "The seeds' price update: one new price for many contents", responses = {
            @ApiResponse(responseCode = "201", description = "a content.update-price batch was created"),
            @ApiResponse(responseCode = "429", ref = "#/components/responses/TooManyRequests")})
    ResponseEntity<Map<String, Object>> updatePrices(@Valid @RequestBody PriceUpdateRequest request, Caller caller) {
        rateLimit.acquireRequest(caller);
        if (request.contentIds().size() > limits.maxItems()) {
            throw new BatchRejected(HttpStatus.CONTENT_TOO_LARGE, "too-many-items", "Too many items",
                    "a batch may hold at most " + limits.maxItems() + " items", Map.of("maxItems", limits.maxItems()));
        }
        BatchSubmission.Accepted accepted = submission.submit(draft -> {
            draft.operation("content.update-price");
            draft.creator(request.creator());
            for (String contentId : request.contentIds()) {
                ObjectNode item = JsonNodeFactory.instance.objectNode();
                item.put("contentId", contentId);
                item.put("newPrice", request.newPrice());
                draft.item(item);
            }
        }, caller);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", "Batch price update initiated");
        body.put("batchId", accepted.batchId());
        body.put("status", accepted.status());
        body.put("totalItems", accepted.totalItems());
        return ResponseEntity.created(URI.create("/api/batches/" + accepted.batchId())).body(body);
    }

    /** The answer to a submission. */
    record BatchAccepted(UUID batchId, String status, int totalItems, Links links) {

        record Links(String self, String items) {
        }
    }

    private static ResponseEntity<BatchAccepted> accepted(BatchSubmission.Accepted accepted) {
        String self = "/api/batches/" + accepted.batchId();
        BatchAccepted body = new BatchAccepted(accepted.batchId(), accepted.status(), accepted.totalItems(),
                new BatchAccepted.Links(self, self + "/items"));
        if (accepted.replayed()) {
            // the batch was created by an earlier request with the same Idempotency-Key
            return ResponseEntity.ok().location(URI.create(self)).header("Idempotent-Replayed", "true").body(body);
        }
        return ResponseEntity.accepted().location(URI.create(self)).body(body);
    }
}
