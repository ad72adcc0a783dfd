package io.batchline.api.query;

import io.batchline.api.problem.BatchRejected;
import io.batchline.api.security.Caller;
import io.batchline.model.status.BatchStatus;
import io.batchline.model.status.ItemStatus;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

/** Everything a client reads: one batch, its items, lists of batches, overall stats. */
@RestController
@RequestMapping("/api/batches")
class BatchQueries {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 1000;

    private final BatchReader reader;
    private final ItemExport export;

    BatchQueries(BatchReader reader, ItemExport export) {
        this.reader = reader;
        this.export = export;
    }

    /** Another tenant's batch is answered like a missing one, so ids cannot be probed. */
    @GetMapping("/{batchId}")
    BatchView batch(@PathVariable UUID batchId, Caller caller) {
        return reader.batch(batchId).filter(view -> caller.canSee(view.creator()))
                .orElseThrow(() -> BatchRejected.notFound("batch " + batchId));
    }

    /**
     * A page of the batch's items as JSON, or, when {@link #exportFormat asked for}, every
     * item (in {@code status}, if given) as an NDJSON or CSV download streamed from a cursor.
     * The same 404 for another tenant's batch either way; an export ignores no parameter
     * silently: {@code limit} and {@code cursor} page the JSON list only, and are refused
     * next to an export.
     */
    @GetMapping("/{batchId}/items")
    @Operation(summary = "A page of the batch's items, or every item as an NDJSON or CSV download",
            description = "format=json|ndjson|csv wins; otherwise Accept picks an export when it names application/x-ndjson "
                    + "or text/csv with a higher quality than application/json (wildcards never do).",
            responses = {
                    @ApiResponse(responseCode = "200", description = "the JSON page, or the export (Content-Disposition: attachment)",
                            content = {
                                    @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                                            schema = @Schema(ref = "#/components/schemas/PageItemView")),
                                    @Content(mediaType = "application/x-ndjson", schema = @Schema(type = "string",
                                            description = "one item per line, exactly as on the JSON page")),
                                    @Content(mediaType = "text/csv", schema = @Schema(type = "string", description =
                                            "RFC 4180, header seq,key,status,attempts,error_code,error_message,finished_at,result"))}),
                    @ApiResponse(responseCode = "429", ref = "#/components/responses/TooManyRequests")})
    @Nullable Object items(@PathVariable UUID batchId, @RequestParam(required = false) @Nullable String status,
                           @RequestParam(required = false) @Nullable Integer limit,
                           @RequestParam(required = false) @Nullable String cursor,
                           @Parameter(schema = @Schema(allowableValues = {"json", "ndjson", "csv"}))
                           @RequestParam(required = false) @Nullable String format,
                           @Parameter(hidden = true) @RequestHeader(name = HttpHeaders.ACCEPT, required = false) @Nullable String accept,
                           Caller caller, HttpServletResponse response) throws IOException {
        ItemExport.Format exportFormat = exportFormat(format, accept);
        String itemStatus = status == null ? null : itemStatus(status);
        if (exportFormat != null && (limit != null || cursor != null)) {
            throw BatchRejected.badRequest("invalid-parameter", "Invalid parameter",
                    "limit and cursor page the JSON list (format json); an ndjson or csv export streams every item");
        }
        if (!reader.creatorOf(batchId).map(caller::canSee).orElse(false)) {
            throw BatchRejected.notFound("batch " + batchId);
        }
        if (exportFormat == null) {
            Page<ItemView> page = reader.items(batchId, itemStatus, cursor, limit(limit));
            // format=json is JSON whatever Accept says; without it, Spring MVC negotiates as it always did
            return format == null ? page : ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(page);
        }
        export.export(batchId, itemStatus, exportFormat, response);
        return null;
    }

    static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");

    /**
     * Which export a request asks for, null for the JSON page. {@code format} ({@code json},
     * {@code ndjson}, {@code csv}) wins over {@code Accept}; otherwise an export is chosen when
     * {@code Accept} names {@code application/x-ndjson} or {@code text/csv} itself with a higher
     * quality than {@code application/json} (absent counts as 0). Wildcards never choose an
     * export, so browsers and {@code curl} keep getting JSON; an {@code Accept} Spring cannot
     * parse goes to the JSON page, which refuses it as before.
     */
    static ItemExport.@Nullable Format exportFormat(@Nullable String format, @Nullable String accept) {
        if (format != null) {
            return switch (format.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "json" -> null;
                case "ndjson" -> ItemExport.Format.NDJSON;
                case "csv" -> ItemExport.Format.CSV;
                default -> throw BatchRejected.badRequest("invalid-parameter", "Invalid parameter",
                        "format must be one of [json, ndjson, csv]");
            };
        }
        if (accept == null || accept.isBlank()) {
            return null;
        }
        List<MediaType> accepted;
        try {
            accepted = MediaType.parseMediaTypes(accept);
        } catch (IllegalArgumentException e) {
            return null;
        }
        double json = quality(accepted, MediaType.APPLICATION_JSON);
        double ndjson = quality(accepted, NDJSON);
        double csv = quality(accepted, MediaType.parseMediaType("text/csv"));
        if (ndjson > 0 && ndjson > json && ndjson >= csv) {
            return ItemExport.Format.NDJSON;
        }
        return csv > 0 && csv > json ? ItemExport.Format.CSV : null;
    }

    /** The quality {@code Accept} gives to exactly this type (0 when it does not name it). */
    private static double quality(List<MediaType> accepted, MediaType type) {
        return accepted.stream().filter(type::equalsTypeAndSubtype).mapToDouble(MediaType::getQualityValue).max().orElse(0);
    }

    /**
     * Newest first. {@code operation}, {@code from}/{@code to} (creation time, ISO instants)
     * and {@code q} (a batch id or a top-level metadata value, exactly) narrow the list.
     */
    @GetMapping
    Page<BatchView> batches(@RequestParam(required = false) @Nullable String creator,
                            @RequestParam(required = false) @Nullable String status,
                            @RequestParam(required = false) @Nullable Integer limit,
                            @RequestParam(required = false) @Nullable String cursor,
                            @RequestParam(required = false) @Nullable String operation,
                            @RequestParam(required = false) @Nullable String from,
                            @RequestParam(required = false) @Nullable String to,
                            @RequestParam(required = false) @Nullable String q, Caller caller) {
        String batchStatus = status == null ? null : batchStatus(status);
        if (!caller.isAdmin() && creator != null && !creator.equals(caller.tenant())) {
            return new Page<>(java.util.List.of(), null);
        }
        if (operation != null && (operation.isBlank() || operation.length() > 100)) {
            throw BatchRejected.badRequest("invalid-parameter", "Invalid parameter", "operation must be 1 to 100 characters");
        }
        if (q != null && (q.isBlank() || q.length() > 500)) {
            throw BatchRejected.badRequest("invalid-parameter", "Invalid parameter", "q must be 1 to 500 characters");
        }
        return reader.batches(new BatchReader.ListFilter(caller.isAdmin() ? creator : caller.tenant(), batchStatus, operation,
                instant("from", from), instant("to", to), q), cursor, limit(limit));
    }

    private static @Nullable Instant instant(String name, @Nullable String value) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw BatchRejected.badRequest("invalid-parameter", "Invalid parameter",
                    name + " must be an ISO-8601 instant such as 2026-11-25T00:00:00Z");
        }
    }

    /** The seeds' listing of one creator's batches, newest first. */
    @GetMapping("/creator/{creator}")
    Page<BatchView> byCreator(@PathVariable String creator,
                              @RequestParam(required = false) @Nullable Integer limit,
                              @RequestParam(required = false) @Nullable String cursor, Caller caller) {
        return batches(creator, null, limit, cursor, null, null, null, null, caller);
    }

    /**
     * A submitter's stats cover its own tenant; an admin's cover every tenant. {@code since}
     * keeps the batches created in a window: an instant ({@code 2026-11-24T00:00:00Z}) or a
     * duration back from now ({@code 24h}, {@code PT24H}, {@code 7d}).
     */
    @GetMapping("/stats")
    Map<String, Object> stats(@RequestParam(required = false) @Nullable String since, Caller caller) {
        return reader.stats(caller.tenantScope(), since == null ? null : since(since, Instant.now()));
    }

    /** {@code since} as an instant: an ISO-8601 instant, or a positive duration back from {@code now}. */
    static Instant since(String since, Instant now) {
        String value = since.strip();
        try {
            if (!value.isEmpty() && Character.isDigit(value.charAt(0)) && value.contains("T") && value.length() > 10) {
                return Instant.parse(value);
            }
            Duration back = value.matches("\\d+") ? Duration.ZERO : DurationStyle.detectAndParse(value); // a unit is required
            if (!back.isNegative() && !back.isZero() && back.compareTo(Duration.ofDays(3650)) <= 0) {
                return now.minus(back);
            }
        } catch (RuntimeException e) {
            // refused below
        }
        throw BatchRejected.badRequest("invalid-parameter", "Invalid parameter",
                "since must be an ISO-8601 instant (2026-11-24T00:00:00Z) or a positive duration up to 3650 days"
                        + " (24h, 30m, 7d, PT24H)");
    }

    private static int limit(@Nullable Integer limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw BatchRejected.badRequest("invalid-parameter", "Invalid parameter",
                    "limit must be between 1 and " + MAX_LIMIT);
        }
        return limit;
    }

    private static String itemStatus(String status) {
        try {
            return ItemStatus.fromWireName(status).wireName();
        } catch (IllegalArgumentException e) {
            throw BatchRejected.badRequest("invalid-parameter", "Invalid parameter", "status must be one of "
                    + Arrays.stream(ItemStatus.values()).map(ItemStatus::wireName).toList());
        }
    }

    private static String batchStatus(String status) {
        try {
            return BatchStatus.fromWireName(status).wireName();
        } catch (IllegalArgumentException e) {
            throw BatchRejected.badRequest("invalid-parameter", "Invalid parameter", "status must be one of "
                    + Arrays.stream(BatchStatus.values()).map(BatchStatus::wireName).toList());
        }
    }
}
