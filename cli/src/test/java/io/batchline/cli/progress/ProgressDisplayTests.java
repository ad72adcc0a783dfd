package io.batchline.cli.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressDisplayTests {

    private static final BatchSnapshot HALF = new BatchSnapshot("b", "processing", 100, 50, 45, 5, 0, 0, 50.0, 12.5, 4L);
    private static final BatchSnapshot DONE = new BatchSnapshot("b", "completed", 100, 0, 90, 10, 0, 0, 100.0, 20.0, null);

    @Test
    void theBarRedrawsItsLineInPlaceAndFitsTheTerminal() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressDisplay bar = ProgressDisplay.choose(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, 60, 5);
        bar.update(HALF);
        bar.finish(DONE);
        String[] draws = bytes.toString(StandardCharsets.UTF_8).split("\r", -1);
        assertThat(draws).hasSize(3);
        assertThat(draws[1]).startsWith("[#####-----]  50.0%").endsWith("\033[K");
        assertThat(draws[1].length() - 3).isLessThan(60);
        assertThat(draws[2]).startsWith("[##########] 100.0%").endsWith("\033[K\n");
    }

    @Test
    void cancelledAndTimedOutItemsAreNamedApartFromFailedOnes() {
        BatchSnapshot stopped = new BatchSnapshot("b", "cancelled", 100, 0, 40, 2, 50, 8, 100.0, null, null);
        assertThat(ProgressDisplay.describe(stopped))
                .isEqualTo("100.0%  succeeded 40  failed 2  cancelled 50  timed out 8  pending 0  - items/s  ETA 0s  cancelled");
    }

    @Test
    void plainLinesHaveNoEscapeCodesAndTheEndIsAlwaysPrinted() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressDisplay plain = ProgressDisplay.choose(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 80, 3600);
        plain.update(HALF);
        plain.update(HALF); // within the interval: not printed again
        plain.finish(DONE);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(
                "progress 50.0%  succeeded 45  failed 5  pending 50  13 items/s  ETA 4s  processing\n"
                        + "progress 100.0%  succeeded 90  failed 10  pending 0  20 items/s  ETA 0s  completed\n");
    }
}
