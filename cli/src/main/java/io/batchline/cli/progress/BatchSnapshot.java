package io.batchline.cli.progress;

import java.util.Set;
import tools.jackson.databind.JsonNode;

/** What the progress display needs of a batch view (GET /api/batches/{id} or an SSE event). */
public record BatchSnapshot(String batchId, String status, long total, long pending, long succeeded, long failed,
                            long cancelled, long timedOut, double percent, Double itemsPerSecond, Long etaSeconds) {

    private static final Set<String> ENDED = Set.of("completed", "failed", "cancelled", "timed_out");

    public static BatchSnapshot of(JsonNode view) {
        JsonNode counts = view.path("counts");
        return new BatchSnapshot(view.path("batchId").asString(""), view.path("status").asString("unknown"),
                view.path("totalItems").asLong(0), counts.path("pending").asLong(0), counts.path("succeeded").asLong(0),
                counts.path("failed").asLong(0), counts.path("cancelled").asLong(0), counts.path("timed_out").asLong(0),
                view.path("percent").asDouble(0),
                view.path("itemsPerSecond").isNumber() ? view.path("itemsPerSecond").asDouble() : null,
                view.path("etaSeconds").isNumber() ? view.path("etaSeconds").asLong() : null);
    }

    public boolean ended() {
        return ENDED.contains(status);
    }

    /** Items that ended without succeeding: cancelled and timed-out items count with the failed. */
    public long unsuccessful() {
        return failed + cancelled + timedOut;
    }
}
