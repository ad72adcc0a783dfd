package io.batchline.api.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

class BatchViewTests {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private static BatchView view(int total, int succeeded, int failed, Instant startedAt, Instant completedAt, Instant now) {
        return BatchView.of(UUID.randomUUID(), "noop", "me", completedAt == null ? "processing" : "completed", null,
                total, succeeded, failed, 0, 0, total, 0, START, startedAt, completedAt, null,
                JsonNodeFactory.instance.objectNode(), null, now, null);
    }

    @Test
    void derivesPercentRateAndEtaFromCounters() {
        BatchView view = view(1000, 200, 50, START, null, START.plusSeconds(10));
        assertThat(view.counts().pending()).isEqualTo(750);
        assertThat(view.percent()).isEqualTo(25.0);
        assertThat(view.itemsPerSecond()).isEqualTo(25.0);
        assertThat(view.etaSeconds()).isEqualTo(30L);
        assertThat(view.successCount()).isEqualTo(200);
        assertThat(view.failureCount()).isEqualTo(50);
    }

    @Test
    void finishedBatchHasDurationAndNoEta() {
        BatchView view = view(100, 100, 0, START, START.plusSeconds(4), START.plusSeconds(60));
        assertThat(view.durationMs()).isEqualTo(4000L);
        assertThat(view.etaSeconds()).isZero();
        assertThat(view.itemsPerSecond()).isEqualTo(25.0);
    }

    @Test
    void batchNotStartedHasNoSpeed() {
        BatchView view = view(100, 0, 0, null, null, START.plusSeconds(5));
        assertThat(view.itemsPerSecond()).isNull();
        assertThat(view.etaSeconds()).isNull();
        assertThat(view.percent()).isZero();
    }
}
