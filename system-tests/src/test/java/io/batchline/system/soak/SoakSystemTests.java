package io.batchline.system.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A short randomized fault soak (see {@link SoakRun}): {@code soak.minutes} (default 3) of
 * mixed batches while workers, the API, the broker and the database fail one at a time,
 * then "nothing lost, counted once, final when terminal" for every batch. A failure names
 * its seed; {@code deploy/chaos/soak.sh --seed S --minutes N} (or {@code -Dsoak.seed=S}) replays
 * the same workload and fault schedule.
 */
class SoakSystemTests {

    @Test
    void randomFaultsLoseNothingCountEveryItemOnceAndLeaveEndedBatchesAsTheyEnded() throws Exception {
        SoakSettings settings = SoakSettings.fromSystemProperties(3);
        System.out.println("soak seed=" + settings.seed() + " minutes=" + settings.minutesText()
                + " (replay: deploy/chaos/soak.sh --seed " + settings.seed() + " --minutes " + settings.minutesText() + ")");

        SoakReport report = new SoakRun(settings).run();

        assertThat(report.violations())
                .as("%s%nreplay with: deploy/chaos/soak.sh --seed %d --minutes %s%nviolations:%n%s", report.resultLine(),
                        settings.seed(), settings.minutesText(),
                        report.violations().stream().limit(100).map(v -> "  " + v).collect(Collectors.joining("\n")))
                .isEmpty();
        assertThat(report.batches()).as("the soak submitted batches (seed %d)", settings.seed()).isPositive();
    }
}
