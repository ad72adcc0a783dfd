package io.batchline.api.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BatchPaceTests {

    private static final long SECOND = 1_000_000_000L;
    private final BatchPace pace = new BatchPace(1000, 20_000, Duration.ofSeconds(2));
    private final UUID batch = UUID.randomUUID();

    @Test
    void aBatchStartsAtTheFloorAndGrowsToTwoSecondsOfItsPace() {
        assertThat(pace.window(batch, 0, 0)).isEqualTo(1000);
        // 3,000 items ended per second: two seconds' worth is 6,000
        assertThat(pace.window(batch, 3000, SECOND)).isEqualTo(6000);
        assertThat(pace.window(batch, 6000, 2 * SECOND)).isEqualTo(6000);
    }

    @Test
    void aFastBatchIsCappedAtTheCeilingAndASlowOneHeldAtTheFloor() {
        pace.window(batch, 0, 0);
        assertThat(pace.window(batch, 50_000, SECOND)).isEqualTo(20_000);
        UUID slow = UUID.randomUUID();
        pace.window(slow, 0, 0);
        assertThat(pace.window(slow, 100, SECOND)).isEqualTo(1000);
    }

    @Test
    void aSlowBatchKeepsLittleOfItsFloorWindowBusySoItIsNotPacked() {
        UUID slow = UUID.randomUUID();
        assertThat(pace.busy(slow, 1000)).as("pace unknown: the whole window").isEqualTo(1000);
        pace.window(slow, 0, 0);
        assertThat(pace.busy(slow, 1000)).as("still no sample").isEqualTo(1000);
        int window = pace.window(slow, 10, SECOND);
        assertThat(window).isEqualTo(1000);
        assertThat(pace.busy(slow, window)).as("10 items/s: two seconds' worth").isEqualTo(20);
        assertThat(PackSize.of(10, pace.busy(slow, window), 100_000)).isEqualTo(1);
        pace.window(slow, 10, 2 * SECOND);
        assertThat(pace.busy(slow, window)).as("nothing ended for a second: measured, not unknown").isEqualTo(10);

        pace.window(batch, 0, 0);
        int fast = pace.window(batch, 50_000, SECOND);
        assertThat(pace.busy(batch, fast)).isEqualTo(fast);
        assertThat(PackSize.of(10, pace.busy(batch, fast), 100_000)).isEqualTo(10);
    }

    @Test
    void readingsTooCloseTogetherWaitAndAPaceChangeIsFollowedWithinAFewReadings() {
        pace.window(batch, 0, 0);
        assertThat(pace.window(batch, 500, SECOND / 10)).as("100 ms says nothing yet").isEqualTo(1000);
        assertThat(pace.window(batch, 5000, SECOND)).isEqualTo(10_000);
        // the pace drops to 500/s: the window follows down
        int window = 0;
        for (int s = 2; s <= 6; s++) {
            window = pace.window(batch, 5000 + 500 * (s - 1), s * SECOND);
        }
        assertThat(window).isBetween(1000, 1400);
    }

    @Test
    void aNewRoundOrAForgottenBatchStartsOver() {
        pace.window(batch, 0, 0);
        pace.window(batch, 4000, SECOND);
        assertThat(pace.window(batch, 10, 2 * SECOND)).as("ended went down: a retry round").isEqualTo(1000);
        pace.forget(batch);
        assertThat(pace.window(batch, 0, 3 * SECOND)).isEqualTo(1000);
    }
}
