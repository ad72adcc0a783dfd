package io.batchline.worker.retry;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.model.messaging.ItemHeaders;
import io.batchline.model.messaging.Topology;
import io.batchline.model.status.ItemStatus;
import io.batchline.worker.operations.ItemFailure;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RetryPolicyTests {

    private final RetryPolicy policy = new RetryPolicy();
    private final UUID batch = UUID.randomUUID();

    private ItemHeaders attempt(int attempt, int maxAttempts) {
        return new ItemHeaders(batch, 7, 2, attempt, maxAttempts, "noop");
    }

    @Test
    void successIsReported() {
        Decision decision = policy.after(attempt(1, 5), io.batchline.worker.operations.ItemOutcome.succeeded(null));
        assertThat(decision).isInstanceOf(Decision.Report.class);
        assertThat(((Decision.Report) decision).result().status()).isEqualTo(ItemStatus.SUCCEEDED);
        assertThat(((Decision.Report) decision).result().round()).isEqualTo(2);
    }

    @Test
    void permanentFailureIsReportedAtOnceEvenWithAttemptsLeft() {
        Decision decision = policy.after(attempt(1, 5), ItemFailure.permanent("user.not_found", "gone").toOutcome());
        assertThat(decision).isInstanceOf(Decision.Report.class);
        assertThat(((Decision.Report) decision).result().status()).isEqualTo(ItemStatus.FAILED);
    }

    @Test
    void retryableFailureWithAttemptsLeftWaitsInTheTierOfTheFailedAttempt() {
        for (int failed = 1; failed <= 6; failed++) {
            Decision decision = policy.after(attempt(failed, 10), ItemFailure.retryable("http.5xx", "503", null).toOutcome());
            assertThat(decision).isInstanceOf(Decision.RetryLater.class);
            Decision.RetryLater retry = (Decision.RetryLater) decision;
            assertThat(retry.next().attempt()).isEqualTo(failed + 1);
            assertThat(retry.next().round()).isEqualTo(2);
            assertThat(retry.tier()).isEqualTo(Topology.RETRY_TIERS.get(Math.min(failed, Topology.RETRY_TIERS.size()) - 1));
            assertThat(retry.lastError()).isEqualTo("http.5xx: 503");
        }
    }

    @Test
    void retryAfterPicksTheFirstTierAtLeastThatLongCappedAtTheLongest() {
        record Case(int failedAttempt, java.time.Duration retryAfter, String tier) {
        }
        for (Case c : java.util.List.of(
                new Case(1, java.time.Duration.ofMillis(500), "1s"),   // shorter than the attempt's own tier: the tier wins
                new Case(1, java.time.Duration.ofSeconds(3), "5s"),
                new Case(1, java.time.Duration.ofSeconds(5), "5s"),
                new Case(1, java.time.Duration.ofSeconds(6), "30s"),
                new Case(3, java.time.Duration.ofSeconds(6), "30s"),
                new Case(1, java.time.Duration.ofHours(1), "2m"))) {
            Decision decision = policy.after(attempt(c.failedAttempt(), 10),
                    ItemFailure.retryableAfter("http.status_429", "slow down", c.retryAfter()).toOutcome());
            assertThat(((Decision.RetryLater) decision).tier().name()).as(c.toString()).isEqualTo(c.tier());
        }
    }

    @Test
    void retryableFailureOnTheLastAttemptGivesUpWithADeadLetter() {
        Decision decision = policy.after(attempt(3, 3), ItemFailure.retryable("http.5xx", "503", null).toOutcome());
        assertThat(decision).isInstanceOf(Decision.GiveUp.class);
        Decision.GiveUp giveUp = (Decision.GiveUp) decision;
        assertThat(giveUp.result().status()).isEqualTo(ItemStatus.FAILED);
        assertThat(giveUp.result().error().message()).isEqualTo("503 (gave up after attempt 3)");
        assertThat(giveUp.result().attempt()).isEqualTo(3);
    }

    @Test
    void unreadableBodyGivesUpAtOnce() {
        Decision decision = policy.unreadable(attempt(1, 5), "noop");
        assertThat(decision).isInstanceOf(Decision.GiveUp.class);
        assertThat(((Decision.GiveUp) decision).result().error().code()).isEqualTo("unreadable_payload");
    }
}
