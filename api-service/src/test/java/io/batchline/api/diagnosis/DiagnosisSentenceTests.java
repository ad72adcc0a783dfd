package io.batchline.api.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.model.status.BatchStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sentence rules, one situation each, and their order when several hold at once. */
class DiagnosisSentenceTests {

    private static final String OP = "http.call";
    private static final Instant NOW = Instant.parse("2026-11-25T13:20:00Z");

    /** Facts to change one at a time: 10 pending of 10, all dispatched, nothing noted, a consumed empty queue. */
    private static final class Given {
        BatchStatus status = BatchStatus.PROCESSING;
        Diagnosis.Counts counts = new Diagnosis.Counts(10, 0, 0, 0, 0);
        int total = 10;
        int notDispatched;
        Diagnosis.DispatchLease lease = new Diagnosis.DispatchLease(null, null, false);
        Diagnosis.InFlight inFlight = new Diagnosis.InFlight(0, null, 0, Duration.ofSeconds(30), List.of());
        List<Diagnosis.RetryWait> tiers = new ArrayList<>();
        List<Diagnosis.Queue> queues = new ArrayList<>(List.of(queue("batch.items." + OP, 0L, 0L, 2L)));
        Diagnosis.RateLimit rateLimit = new Diagnosis.RateLimit(OP, "none", null, null, null, null, "m");
        Diagnosis.Stop stop = new Diagnosis.Stop(false, null, null, null, false, false, null);
        Diagnosis.Sweep sweep = new Diagnosis.Sweep(NOW.minusSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(5), false, 0);

        String sentence() {
            Diagnosis.Facts facts = new Diagnosis.Facts(total, counts, notDispatched, lease, inFlight, tiers,
                    new Diagnosis.Crashed(0, 0), new Diagnosis.Failed(counts.failed(), "batch.dead." + OP), queues,
                    new Diagnosis.Broker("ok", "management-api", null, "queue-wide"), rateLimit, stop, sweep);
            return DiagnosisSentence.write(OP, status, facts, NOW);
        }
    }

    private static Diagnosis.Queue queue(String name, Long ready, Long unacked, Long consumers) {
        return new Diagnosis.Queue(name, "work", ready, unacked, consumers);
    }

    private static Diagnosis.RetryWait tier(String name, int waiting, long dueInSeconds, String message) {
        return new Diagnosis.RetryWait(name, "batch.retry." + name, waiting, waiting, NOW.plusSeconds(dueInSeconds),
                NOW.plusSeconds(dueInSeconds), new Diagnosis.TopError("http.503", message, waiting));
    }

    @Test
    void aCompletedBatchSaysHowItEnded() {
        Given given = new Given();
        given.status = BatchStatus.COMPLETED;
        given.counts = new Diagnosis.Counts(0, 8, 2, 0, 0);
        assertThat(given.sentence()).isEqualTo("Finished: the batch completed; 8 of 10 items succeeded and 2 failed.");
    }

    @Test
    void aCancelledBatchNamesItsReason() {
        Given given = new Given();
        given.status = BatchStatus.CANCELLED;
        given.counts = new Diagnosis.Counts(0, 3, 0, 7, 0);
        given.stop = new Diagnosis.Stop(false, "cancelled", "cancelled by the client", null, false, false, null);
        assertThat(given.sentence()).isEqualTo("Finished: the batch was cancelled (cancelled by the client); 3 of 10 items succeeded and 7 cancelled.");
    }

    @Test
    void aStoppingBatchSaysWhatItStillWaitsFor() {
        Given given = new Given();
        given.status = BatchStatus.STOPPING;
        given.stop = new Diagnosis.Stop(true, "cancelled", "cancelled by the client", null, false, false, null);
        given.tiers.add(tier("2m", 4, 80, "boom"));
        assertThat(given.sentence()).isEqualTo("The batch is stopping and will end cancelled (cancelled by the client); 4 of its"
                + " 10 items wait in batch.retry.2m and end cancelled when they come back in about 80 s.");
    }

    @Test
    void stoppingComesBeforeEverythingElseThatIsNotTerminal() {
        Given given = new Given();
        given.status = BatchStatus.STOPPING;
        given.stop = new Diagnosis.Stop(true, "failed", "fail-fast: item 3 failed", null, true, true, null);
        given.notDispatched = 5;
        given.inFlight = new Diagnosis.InFlight(2, NOW.minusSeconds(3), 0, Duration.ofSeconds(30), List.of("w/1"));
        assertThat(given.sentence()).startsWith("The batch is stopping and will end failed (fail-fast: item 3 failed); 2 items are"
                + " still running on w/1 and finish first");
    }

    @Test
    void aPassedDeadlineSaysTheWatchIsStoppingIt() {
        Given given = new Given();
        given.stop = new Diagnosis.Stop(false, null, null, NOW.minusSeconds(2), true, false, null);
        assertThat(given.sentence()).isEqualTo("The deadline passed about 2 s ago; the deadline watch is stopping the batch,"
                + " and its 10 items not started end timed_out.");
    }

    @Test
    void undispatchedItemsWithoutALeaseAreAStalledDispatch() {
        Given given = new Given();
        // nothing of it is published (so nothing can return credit) and nobody dispatches it
        given.counts = new Diagnosis.Counts(6, 4, 0, 0, 0);
        given.notDispatched = 6;
        assertThat(given.sentence()).isEqualTo("Dispatch stalled: 6 items are not yet published and no dispatcher holds the"
                + " lease; an API instance's recovery scan resumes it within seconds.");
    }

    @Test
    void aBatchWithItsWindowFullWaitsForCredit() {
        Given given = new Given();
        given.notDispatched = 6;
        given.sweep = new Diagnosis.Sweep(NOW.minusSeconds(1), Duration.ofSeconds(1), Duration.ofMinutes(5), false, 0);
        assertThat(given.sentence()).isEqualTo("6 items wait for dispatch credit: 4 published items have not ended yet,"
                + " and the batch's dispatch window lets more out as they end.");
    }

    @Test
    void aJustSubmittedBatchIsNotCalledStalled() {
        Given given = new Given();
        given.notDispatched = 10;
        given.sweep = new Diagnosis.Sweep(null, Duration.ofSeconds(1), Duration.ofMinutes(5), false, 0);
        assertThat(given.sentence()).isEqualTo("10 items are about to be dispatched.");
    }

    @Test
    void theBusiestRetryTierSpeaksWithItsErrorAndDueTime() {
        Given given = new Given();
        given.tiers.add(tier("5s", 3, 4, "connection reset"));
        given.tiers.add(tier("30s", 12, 20, "503 from the target"));
        given.inFlight = new Diagnosis.InFlight(1, NOW.minusSeconds(60), 1, Duration.ofSeconds(30), List.of("w/1"));
        assertThat(given.sentence()).isEqualTo("12 items wait in batch.retry.30s after 503 from the target (and 3 more in other"
                + " delay tiers); next attempt in about 20 s.");
    }

    @Test
    void anItemRunningPastTheHandlerTimeoutPointsAtItsWorker() {
        Given given = new Given();
        given.inFlight = new Diagnosis.InFlight(3, NOW.minusSeconds(45), 1, Duration.ofSeconds(30), List.of("host-a/7"));
        assertThat(given.sentence()).isEqualTo("1 item has been running longer than the handler timeout (about 30 s), the oldest"
                + " for about 45 s on host-a/7: the worker may be stuck, or dead without its connection dropping yet.");
    }

    @Test
    void unrecordedResultsAreNamedWithTheirReplay() {
        Given given = new Given();
        given.queues.add(new Diagnosis.Queue("batch.dead.results", "results-dead-letters", 2L, 0L, 0L));
        assertThat(given.sentence()).startsWith("2 messages the API could not record wait in batch.dead.results")
                .contains("POST /api/admin/dead-letters/batch.dead.results/replay");
    }

    @Test
    void aWorkQueueWithoutConsumersIsNamed() {
        Given given = new Given();
        given.queues.set(0, queue("batch.items." + OP, 40L, 0L, 0L));
        given.rateLimit = new Diagnosis.RateLimit(OP, "override", 1L, Duration.ofSeconds(1), 1L, 1.0, "m");
        assertThat(given.sentence()).isEqualTo("No worker is consuming batch.items.http.call: 10 items of this batch wait there"
                + " (the queue holds 40 messages ready, 0 unacknowledged, 0 consumers, for every batch of the operation).");
    }

    @Test
    void queuedItemsUnderARateLimitNameTheLimitAndItsMetric() {
        Given given = new Given();
        given.queues.set(0, queue("batch.items." + OP, 40L, 5L, 2L));
        given.rateLimit = new Diagnosis.RateLimit(OP, "override", 5L, Duration.ofSeconds(1), 5L, 5.0,
                "batchline_worker_rate_limit_wait_seconds{operation=\"http.call\"}");
        assertThat(given.sentence()).isEqualTo("10 items wait in batch.items.http.call (the queue holds 40 messages ready, 5 unacknowledged,"
                + " 2 consumers, for every batch of the operation) under the global rate limit of 5 items/s for http.call"
                + " (override); the workers' waiting shows in batchline_worker_rate_limit_wait_seconds{operation=\"http.call\"}.");
    }

    @Test
    void runningItemsSayForHowLong() {
        Given given = new Given();
        given.inFlight = new Diagnosis.InFlight(4, NOW.minusSeconds(5), 0, Duration.ofSeconds(30), List.of("a/1", "b/2"));
        assertThat(given.sentence()).isEqualTo("4 items are running on a/1 and 1 more workers, the oldest for about 5 s, and 6 more"
                + " wait in the queues.");
    }

    @Test
    void aDispatcherAtWorkIsNamed() {
        Given given = new Given();
        given.notDispatched = 7;
        given.lease = new Diagnosis.DispatchLease("api-1", NOW.plusSeconds(20), true);
        assertThat(given.sentence()).isEqualTo("7 items are still being dispatched by api-1.");
    }

    @Test
    void anUnreadableBrokerIsSaid() {
        Given given = new Given();
        given.queues.set(0, queue("batch.items." + OP, null, null, null));
        assertThat(given.sentence()).contains("the broker could not be read");
    }

    @Test
    void nothingHoldingThemLeavesItToTheSweep() {
        Given given = new Given();
        given.sweep = new Diagnosis.Sweep(NOW.minusSeconds(600), Duration.ofMinutes(10), Duration.ofMinutes(5), true, 0);
        assertThat(given.sentence()).isEqualTo("10 items are pending with nothing noted running, in a delay tier or ready in"
                + " batch.items.http.call (a worker may hold them unacknowledged); the batch has recorded nothing for about"
                + " 10 min, so the stuck-item sweep dispatches them again once the operation's queues are empty on two looks in a row.");
    }

    @Test
    void durationsReadRoundly() {
        assertThat(DiagnosisSentence.about(Duration.ofMillis(300))).isEqualTo("less than a second");
        assertThat(DiagnosisSentence.about(Duration.ofMillis(19_600))).isEqualTo("about 20 s");
        assertThat(DiagnosisSentence.about(Duration.ofSeconds(150))).isEqualTo("about 3 min");
        assertThat(DiagnosisSentence.about(Duration.ofHours(3))).isEqualTo("about 3 h");
    }
}
