package io.batchline.model.status;

import static org.assertj.core.api.Assertions.assertThat;

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
    @EnumSource(value = ItemStatus.class, names = "PENDING", mode = EnumSource.Mode.EXCLUDE)
    void terminalItemNeverChangesAgain(ItemStatus terminal) {
        for (ItemStatus next : ItemStatus.values()) {
            assertThat(terminal.canMoveTo(next)).isFalse();
        }
    }

    @Test
    void batchMovesForwardOnly() {
        assertThat(BatchStatus.PENDING.canMoveTo(BatchStatus.PROCESSING)).isTrue();
        assertThat(BatchStatus.PROCESSING.canMoveTo(BatchStatus.COMPLETED)).isTrue();
        assertThat(BatchStatus.PROCESSING.canMoveTo(BatchStatus.PENDING)).isFalse();
        assertThat(BatchStatus.COMPLETED.canMoveTo(BatchStatus.FAILED)).isFalse();
        assertThat(BatchStatus.CANCELLED.canMoveTo(BatchStatus.PROCESSING)).isFalse();
    }

    @Test
    void wireNamesAreLowerCaseAndRoundTrip() {
        assertThat(ItemStatus.TIMED_OUT.wireName()).isEqualTo("timed_out");
        assertThat(BatchStatus.fromWireName("timed_out")).isEqualTo(BatchStatus.TIMED_OUT);
        assertThat(ItemStatus.fromWireName("succeeded")).isEqualTo(ItemStatus.SUCCEEDED);
    }
}
