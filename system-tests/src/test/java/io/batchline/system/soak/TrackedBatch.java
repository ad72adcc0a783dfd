package io.batchline.system.soak;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** An accepted batch as the soak follows it: its spec, its first terminal observation, and what the soak did to it. */
final class TrackedBatch {

    static final Set<String> TERMINAL = Set.of("completed", "failed", "cancelled", "timed_out");

    /** One GET of the batch: its status and counters at a moment. */
    record Observation(Instant at, String status, int total, int succeeded, int failed, int cancelled, int timedOut) {

        static Observation of(JsonNode view) {
            JsonNode counts = view.path("counts");
            return new Observation(Instant.now(), view.path("status").asString("?"), view.path("totalItems").asInt(-1),
                    counts.path("succeeded").asInt(-1), counts.path("failed").asInt(-1), counts.path("cancelled").asInt(-1),
                    counts.path("timed_out").asInt(-1));
        }

        boolean terminal() {
            return TERMINAL.contains(status);
        }

        boolean sameState(Observation other) {
            return status.equals(other.status) && succeeded == other.succeeded && failed == other.failed
                    && cancelled == other.cancelled && timedOut == other.timedOut;
        }

        String describe() {
            return status + " {succeeded=" + succeeded + ", failed=" + failed + ", cancelled=" + cancelled
                    + ", timed_out=" + timedOut + "}";
        }
    }

    final Workload.BatchSpec spec;
    final UUID id;
    final Instant acceptedAt;
    final boolean acceptedByReplay;

    /** First terminal observation since acceptance or since the soak's last retry of it; null while running. */
    volatile Observation snapshot;
    /** Every item's status right after the snapshot was taken (seq to status), to name the items that change later. */
    volatile java.util.Map<Integer, String> itemSnapshot;
    /** Last observation that differed from the snapshot (so each change is reported once). */
    volatile Observation lastChange;
    volatile Instant lastPolled = Instant.EPOCH;
    volatile int retriesLeft;
    volatile int retriesDone;
    volatile Instant retryDue;
    volatile boolean cancelRequested;
    final List<String> changes = Collections.synchronizedList(new ArrayList<>());
    /** Items whose status changed after the batch was seen terminal: seq to "before → after". */
    final java.util.Map<Integer, String> changedItems = new java.util.concurrent.ConcurrentSkipListMap<>();

    /** Records the items whose status now differs from the item snapshot; returns how many differ. */
    int recordChangedItems(java.util.Map<Integer, String> now) {
        java.util.Map<Integer, String> before = itemSnapshot;
        Observation at = snapshot;
        if (before == null || now == null) {
            return 0;
        }
        int changed = 0;
        for (var entry : new java.util.TreeMap<>(now).entrySet()) {
            String was = before.get(entry.getKey());
            if (!entry.getValue().equals(was)) {
                changed++;
                changedItems.putIfAbsent(entry.getKey(), "item was " + (was == null ? "missing" : was) + " when the batch was seen "
                        + (at == null ? "terminal" : at.status()) + ", then " + entry.getValue());
            }
        }
        return changed;
    }

    TrackedBatch(Workload.BatchSpec spec, UUID id, Instant acceptedAt, boolean acceptedByReplay) {
        this.spec = spec;
        this.id = id;
        this.acceptedAt = acceptedAt;
        this.acceptedByReplay = acceptedByReplay;
        this.retriesLeft = spec.retryRounds();
    }

    String label() {
        return id + " (#" + spec.number() + " " + spec.summary() + ")";
    }
}
