package io.batchline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.cli.progress.BatchSnapshot;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExitCodesTests {

    private static BatchSnapshot batch(String status, long succeeded, long failed, long cancelled, long timedOut) {
        return new BatchSnapshot("b", status, succeeded + failed + cancelled + timedOut, 0, succeeded, failed, cancelled, timedOut,
                100, null, null);
    }

    @Test
    void everyItemSucceededIsZero() {
        assertThat(ExitCodes.forEndedBatch(batch("completed", 10, 0, 0, 0))).isEqualTo(0);
    }

    @Test
    void someItemsFailedHasItsOwnCode() {
        assertThat(ExitCodes.forEndedBatch(batch("completed", 9, 1, 0, 0))).isEqualTo(ExitCodes.ITEMS_FAILED);
        assertThat(ExitCodes.forEndedBatch(batch("completed", 9, 0, 0, 1))).isEqualTo(ExitCodes.ITEMS_FAILED);
        // fail-fast or the failure-rate breaker ended it
        assertThat(ExitCodes.forEndedBatch(batch("failed", 5, 1, 4, 0))).isEqualTo(ExitCodes.ITEMS_FAILED);
    }

    @Test
    void aStoppedBatchHasItsOwnCode() {
        assertThat(ExitCodes.forEndedBatch(batch("cancelled", 3, 0, 7, 0))).isEqualTo(ExitCodes.STOPPED);
        assertThat(ExitCodes.forEndedBatch(batch("timed_out", 3, 0, 0, 7))).isEqualTo(ExitCodes.STOPPED);
    }

    @Test
    void aRunningBatchHasNoExitCode() {
        assertThatThrownBy(() -> ExitCodes.forEndedBatch(batch("processing", 3, 0, 0, 0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExitCodes.forEndedBatch(batch("stopping", 3, 0, 0, 0))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCodesAreDistinctAndUsageIsPicocliS() {
        assertThat(Set.of(ExitCodes.OK, ExitCodes.API_ERROR, ExitCodes.USAGE, ExitCodes.ITEMS_FAILED, ExitCodes.STOPPED,
                ExitCodes.UNREACHABLE)).hasSize(6);
        assertThat(ExitCodes.USAGE).isEqualTo(picocli.CommandLine.ExitCode.USAGE);
    }
}
