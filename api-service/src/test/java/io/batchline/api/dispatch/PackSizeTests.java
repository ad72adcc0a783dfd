package io.batchline.api.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PackSizeTests {

    @Test
    void aLargeFastBatchFillsItsPacks() {
        assertThat(PackSize.of(10, 20_000, 100_000)).isEqualTo(10);
        assertThat(PackSize.of(10, 1_000, 100_000)).as("the floor window still spreads over 100 messages").isEqualTo(10);
    }

    @Test
    void aSmallOrSlowBatchKeepsOneItemPerMessage() {
        assertThat(PackSize.of(10, 20_000, 10)).isEqualTo(1);
        assertThat(PackSize.of(10, 40, 100_000)).as("a slow batch's small window").isEqualTo(1);
        assertThat(PackSize.of(1, 20_000, 100_000)).as("packing turned off").isEqualTo(1);
    }

    @Test
    void aBatchIsSpreadOverAtLeastSpreadMessagesWhileItHasTheItems() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 10_000; i++) {
            int max = 1 + random.nextInt(100);
            int window = 1 + random.nextInt(50_000);
            int remaining = 1 + random.nextInt(200_000);
            int pack = PackSize.of(max, window, remaining);
            String why = "seed " + seed + ": max " + max + ", window " + window + ", remaining " + remaining;
            assertThat(pack).as(why).isBetween(1, max);
            int items = Math.min(window, remaining);
            assertThat(pack == 1 || items / pack >= PackSize.SPREAD).as(why).isTrue();
        }
    }
}
