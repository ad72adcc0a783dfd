package io.batchline.model.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StatusTransitionsTests {

    @Test
    void pendingItemMayEndInAnyTerminalState() {
        for (ItemStatus next : ItemStatus.values()) {
            assertThat(ItemStatus.PENDING.canMoveTo(next)).isEqualTo(next != ItemStatus.PENDING);
        }
    }

    @ParameterizedTest
    @EnumSource(value = ItemStatus.class, names = {"SUCCEEDED", "CANCELLED", "TIMED_OUT"})
    void succeededCancelledAndTimedOutItemsNeverChangeAgain(ItemStatus terminal) {
        for (ItemStatus next : ItemStatus.values()) {
            assertThat(terminal.canMoveTo(next)).isFalse();
        }
    }

    @Test
    void onlyARetryRoundTakesAFailedItemBackAndOnlyToPending() {
        for (ItemStatus next : ItemStatus.values()) {
            assertThat(ItemStatus.FAILED.canMoveTo(next)).isEqualTo(next == ItemStatus.PENDING);
        }
        assertThat(ItemStatus.sourcesOf(ItemStatus.PENDING)).containsExactly(ItemStatus.FAILED);
    }

    @Test
    void aStopPassesThroughStoppingBeforeItsTerminalStatus() {
        assertThat(BatchStatus.sourcesOf(BatchStatus.STOPPING)).containsExactly(BatchStatus.PENDING, BatchStatus.PROCESSING);
        for (BatchStatus target : new BatchStatus[] {BatchStatus.CANCELLED, BatchStatus.FAILED, BatchStatus.TIMED_OUT}) {
            assertThat(BatchStatus.sourcesOf(target)).containsExactly(BatchStatus.STOPPING);
        }
        assertThat(BatchStatus.STOPPING.isTerminal()).isFalse();
        assertThat(BatchStatus.STOPPING.canMoveTo(BatchStatus.COMPLETED)).isFalse();
        assertThat(BatchStatus.STOPPING.canMoveTo(BatchStatus.PROCESSING)).as("no retry while stopping").isFalse();
    }

    @Test
    void onlyRunningBatchesComplete() {
        assertThat(BatchStatus.sourcesOf(BatchStatus.COMPLETED)).containsExactly(BatchStatus.PENDING, BatchStatus.PROCESSING);
    }

    @ParameterizedTest
    @EnumSource(value = BatchStatus.class, names = {"COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"})
    void aTerminalBatchMovesOnlyThroughAnExplicitRetryRound(BatchStatus terminal) {
        assertThat(terminal.isTerminal()).isTrue();
        for (BatchStatus next : BatchStatus.values()) {
            assertThat(terminal.canMoveTo(next)).isEqualTo(next == BatchStatus.PROCESSING);
        }
    }

    @Test
    void aStopEndsUnstartedItemsCancelledOrTimedOutForADeadline() {
        assertThat(StopOutcome.of(BatchStatus.CANCELLED)).isEqualTo(new StopOutcome(ItemStatus.CANCELLED, "batch.stopped"));
        assertThat(StopOutcome.of(BatchStatus.FAILED)).isEqualTo(new StopOutcome(ItemStatus.CANCELLED, "batch.stopped"));
        assertThat(StopOutcome.of(BatchStatus.TIMED_OUT)).isEqualTo(new StopOutcome(ItemStatus.TIMED_OUT, "batch.deadline"));
        assertThatThrownBy(() -> StopOutcome.of(BatchStatus.COMPLETED)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void wireNamesAreLowerCaseAndRoundTrip() {
        assertThat(ItemStatus.TIMED_OUT.wireName()).isEqualTo("timed_out");
        assertThat(BatchStatus.fromWireName("stopping")).isEqualTo(BatchStatus.STOPPING);
        assertThat(ItemStatus.fromWireName("succeeded")).isEqualTo(ItemStatus.SUCCEEDED);
    }
}
