package io.batchline.api.stream;

import io.batchline.api.problem.BatchRejected;
import io.batchline.api.query.BatchSnapshots;
import io.batchline.api.security.Caller;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /api/batches/{id}/events} and {@code GET /api/batches/events}: server-sent
 * events for {@code EventSource}. Visibility and the per-tenant cap are checked when the
 * stream opens (404 and 429 as problem+json); then the request is asynchronous (no Tomcat
 * thread is held) and {@link StreamHub} feeds it.
 */
@RestController
@RequestMapping("/api/batches")
class ProgressStreams {

    private final StreamHub hub;
    private final BatchSnapshots batches;

    ProgressStreams(StreamHub hub, BatchSnapshots batches) {
        this.hub = hub;
        this.batches = batches;
    }

    /**
     * One batch's progress. A client that reconnects with the {@code Last-Event-ID} of the
     * batch's final event gets 204, which tells {@code EventSource} to stop reconnecting.
     */
    @GetMapping("/{batchId}/events")
    @Operation(summary = "Server-sent events of one batch's progress", responses = {
            @ApiResponse(responseCode = "200", description = "events progress, end (then the response ends) and gone; "
                    + "data is the batch as GET /api/batches/{batchId} shows it",
                    content = @Content(mediaType = "text/event-stream", schema = @Schema(type = "string"))),
            @ApiResponse(responseCode = "204", description = "Last-Event-ID is the batch's final event: stop reconnecting"),
            @ApiResponse(responseCode = "429", ref = "#/components/responses/TooManyRequests")})
    ResponseEntity<SseEmitter> batch(@PathVariable UUID batchId,
                                     @RequestHeader(name = "Last-Event-ID", required = false) @Nullable String lastEventId,
                                     Caller caller) {
        BatchSnapshots.Progress now = batches.of(List.of(batchId)).stream()
                .filter(snapshot -> caller.canSee(snapshot.creator())).findFirst()
                .map(BatchSnapshots.Snapshot::progress)
                .orElseThrow(() -> BatchRejected.notFound("batch " + batchId));
        EventId seen = EventId.parse(lastEventId);
        EventId current = EventId.of(now);
        if (current.isEnd() && current.equals(seen)) {
            return ResponseEntity.noContent().build();
        }
        return streaming(hub.openBatch(caller, batchId, seen).emitter());
    }

    /** The running batches the caller may see (every tenant's for an admin) and the counts per status. */
    @GetMapping("/events")
    @Operation(summary = "Server-sent events: the running batches and the counts per status", responses = {
            @ApiResponse(responseCode = "200", description = "overview events",
                    content = @Content(mediaType = "text/event-stream", schema = @Schema(type = "string"))),
            @ApiResponse(responseCode = "429", ref = "#/components/responses/TooManyRequests")})
    ResponseEntity<SseEmitter> overview(Caller caller) {
        return streaming(hub.openOverview(caller).emitter());
    }

    private static ResponseEntity<SseEmitter> streaming(SseEmitter emitter) {
        // no-cache, and no buffering by an nginx in front: events must pass at once
        return ResponseEntity.ok().cacheControl(CacheControl.noCache()).header("X-Accel-Buffering", "no").body(emitter);
    }
}
