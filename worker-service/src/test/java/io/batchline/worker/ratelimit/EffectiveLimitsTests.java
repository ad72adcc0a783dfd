package io.batchline.worker.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a worker reconciles an admin's overrides with WORKER_RATE_LIMITS. */
class EffectiveLimitsTests {

    private static final Map<String, RateLimit> ENVIRONMENT = RateLimit.parse("content.update-price=500/3s,noop=1000/1s");

    private static RateLimit limit(String operation, long items, Duration period, long burst) {
        return new RateLimit(operation, items, period, burst);
    }

    @Test
    void anOverrideWinsOverTheEnvironmentForItsOperationOnly() {
        RateLimit slower = limit("content.update-price", 100, Duration.ofSeconds(1), 20);
        EffectiveLimits effective = EffectiveLimits.of(ENVIRONMENT, Map.of("content.update-price", slower));

        assertThat(effective.of("content.update-price")).contains(slower);
        assertThat(effective.sourceOf("content.update-price")).isEqualTo("override");
        assertThat(effective.of("noop")).contains(ENVIRONMENT.get("noop"));
        assertThat(effective.sourceOf("noop")).isEqualTo("env");
        assertThat(effective.of("user.create")).isEmpty();
        assertThat(effective.sourceOf("user.create")).isEqualTo("none");
    }

    @Test
    void anOverrideCanLimitAnOperationTheEnvironmentLeavesAlone() {
        RateLimit added = limit("user.create", 10, Duration.ofSeconds(1), 10);
        EffectiveLimits before = EffectiveLimits.of(ENVIRONMENT, Map.of());
        EffectiveLimits after = EffectiveLimits.of(ENVIRONMENT, Map.of("user.create", added));

        assertThat(before.changedIn(after)).containsExactly("user.create");
        assertThat(after.of("user.create")).contains(added);
    }

    @Test
    void removingAnOverrideFallsBackToTheEnvironmentOrToNoLimit() {
        EffectiveLimits overridden = EffectiveLimits.of(ENVIRONMENT, Map.of(
                "noop", limit("noop", 5, Duration.ofSeconds(1), 5),
                "user.lookup", limit("user.lookup", 5, Duration.ofSeconds(1), 5)));
        EffectiveLimits reset = EffectiveLimits.of(ENVIRONMENT, Map.of());

        assertThat(overridden.changedIn(reset)).containsExactly("noop", "user.lookup");
        assertThat(reset.of("noop")).contains(ENVIRONMENT.get("noop"));
        assertThat(reset.of("user.lookup")).as("no environment limit: no limit at all").isEmpty();
    }

    @Test
    void nothingChangesWhenAnOverrideRepeatsTheEnvironmentOrNothingMoved() {
        EffectiveLimits fromEnvironment = EffectiveLimits.of(ENVIRONMENT, Map.of());
        EffectiveLimits sameAsOverride = EffectiveLimits.of(ENVIRONMENT, Map.of("noop", ENVIRONMENT.get("noop")));

        assertThat(fromEnvironment.changedIn(sameAsOverride)).as("the bucket keeps its configuration").isEmpty();
        assertThat(fromEnvironment.changedIn(EffectiveLimits.of(ENVIRONMENT, Map.of()))).isEmpty();
        assertThat(sameAsOverride.sourceOf("noop")).isEqualTo("override");
    }

    @Test
    void atStartUpEveryLimitInForceIsAChange() {
        EffectiveLimits first = EffectiveLimits.of(ENVIRONMENT, Map.of("user.create", limit("user.create", 1, Duration.ofMinutes(1), 1)));

        assertThat(EffectiveLimits.NONE.changedIn(first)).containsExactly("content.update-price", "noop", "user.create");
    }
}
