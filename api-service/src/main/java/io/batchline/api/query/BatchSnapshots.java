package io.batchline.api.query;

import io.batchline.model.status.BatchStatus;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Batches for the progress streams: the same JSON as {@code GET /api/batches/{id}} (in the
 * lists' form: the callback without its history), with what their event ids are made of.
 * Every read is one set-based query, whatever the number of batches.
 */
@Component
public class BatchSnapshots {

    /** The statuses of a batch that is still running (not terminal). */
    private static final String[] RUNNING = Arrays.stream(BatchStatus.values()).filter(s -> !s.isTerminal())
            .map(BatchStatus::wireName).toArray(String[]::new);

    /** What says whether a batch moved: its status, retry round and ended items. */
    public record Progress(String status, int round, int ended) {

        public BatchStatus batchStatus() {
            return BatchStatus.fromWireName(status);
        }
    }

    /** A batch: its progress and its view as JSON. */
    public record Snapshot(UUID batchId, String creator, Progress progress, JsonNode view) {
    }

    private final BatchReader reader;
    private final JsonMapper json;

    BatchSnapshots(BatchReader reader, JsonMapper json) {
        this.reader = reader;
        this.json = json;
    }

    /** The progress of each of these batches that exists. */
    public Map<UUID, Progress> progress(Collection<UUID> ids) {
        return ids.isEmpty() ? Map.of() : reader.progress(ids);
    }

    /** These batches (those that exist), as clients see them. */
    public List<Snapshot> of(Collection<UUID> ids) {
        return ids.isEmpty() ? List.of() : reader.byIds(ids).stream().map(this::snapshot).toList();
    }

    /** The newest {@code limit} running batches of a tenant (null: every tenant). */
    public List<Snapshot> running(@Nullable String tenant, int limit) {
        return reader.withStatus(RUNNING, tenant, limit).stream().map(this::snapshot).toList();
    }

    /** How many batches of a tenant (null: every tenant) are in each status. */
    public Map<String, Long> countByStatus(@Nullable String tenant) {
        return reader.countByStatus(tenant);
    }

    private Snapshot snapshot(BatchReader.RoundView row) {
        BatchView view = row.view();
        BatchView.Counts c = view.counts();
        return new Snapshot(view.batchId(), view.creator(),
                new Progress(view.status(), row.round(), c.succeeded() + c.failed() + c.cancelled() + c.timedOut()),
                json.valueToTree(view));
    }
}
