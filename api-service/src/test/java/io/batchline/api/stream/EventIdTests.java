package io.batchline.api.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.api.query.BatchSnapshots;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The progress events' ids: what they are made of, that they grow as a batch moves, and which ones are ours. */
class EventIdTests {

    private static EventId id(String status, int round, int ended) {
        return EventId.of(new BatchSnapshots.Progress(status, round, ended));
    }

    private static int compare(EventId a, EventId b) {
        return java.util.Arrays.compare(new int[] {a.round(), a.ended(), a.stage()}, new int[] {b.round(), b.ended(), b.stage()});
    }

    @Test
    void idsGrowAlongEveryPathABatchCanTake() {
        List<List<EventId>> paths = List.of(
                List.of(id("pending", 0, 0), id("processing", 0, 0), id("processing", 0, 7), id("completed", 0, 10)),
                List.of(id("pending", 0, 0), id("stopping", 0, 0), id("cancelled", 0, 10)),
                List.of(id("processing", 0, 3), id("stopping", 0, 3), id("stopping", 0, 5), id("failed", 0, 10),
                        // a retry round puts the failed items back: fewer ended, but a higher round
                        id("processing", 1, 6), id("processing", 1, 8), id("completed", 1, 10)),
                List.of(id("processing", 0, 9), id("timed_out", 0, 10)));
        for (List<EventId> path : paths) {
            for (int i = 1; i < path.size(); i++) {
                assertThat(compare(path.get(i), path.get(i - 1))).as("%s after %s", path.get(i), path.get(i - 1)).isPositive();
            }
        }
    }

    @Test
    void terminalStatusesAreTheEnd() {
        for (String status : List.of("completed", "failed", "cancelled", "timed_out")) {
            assertThat(id(status, 0, 5).isEnd()).as(status).isTrue();
        }
        for (String status : List.of("pending", "processing", "stopping")) {
            assertThat(id(status, 0, 5).isEnd()).as(status).isFalse();
        }
        assertThat(id("completed", 2, 40)).hasToString("2.40.3");
    }

    @Test
    void onlyOurOwnIdsAreReadBack() {
        assertThat(EventId.parse("2.40.3")).isEqualTo(new EventId(2, 40, 3));
        assertThat(EventId.parse(" 0.0.0 ")).isEqualTo(new EventId(0, 0, 0));
        for (String foreign : new String[] {null, "", "abc", "1.2", "1.2.4", "-1.2.3", "1.2.3.4", "9999999999.1.1", "1,2,3",
                "0.0.0\u0000", "１.２.３"}) {
            assertThat(EventId.parse(foreign)).as("%s", foreign).isNull();
        }
    }
}
