package io.batchline.worker.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitTests {

    @Test
    void parsesLimitsWithAndWithoutBurst() {
        var limits = RateLimit.parse("content.update-price=500/3s, noop=1000/1s:2000");
        assertThat(limits.get("content.update-price")).isEqualTo(new RateLimit("content.update-price", 500, Duration.ofSeconds(3), 500));
        assertThat(limits.get("noop")).isEqualTo(new RateLimit("noop", 1000, Duration.ofSeconds(1), 2000));
    }

    @Test
    void noSpecMeansNoLimits() {
        assertThat(RateLimit.parse("")).isEmpty();
        assertThat(RateLimit.parse("  ")).isEmpty();
    }

    @Test
    void malformedSpecIsRefusedWithAnExample() {
        assertThatThrownBy(() -> RateLimit.parse("noop=fast")).hasMessageContaining("noop=500/3s");
        assertThatThrownBy(() -> RateLimit.parse("noop=0/1s")).hasMessageContaining("at least 1");
    }

    @Test
    void limitsFollowTheSameRulesAsTheAdminApi() {
        assertThatThrownBy(() -> RateLimit.parse("noop=10/0s")).hasMessageContaining("period");
        assertThatThrownBy(() -> RateLimit.parse("noop=10/2d")).hasMessageContaining("period");
        assertThatThrownBy(() -> RateLimit.parse("noop=100000000/1ms")).hasMessageContaining("items per second");
        assertThat(RateLimit.parse("content.update-price=500/3s").get("content.update-price").itemsPerSecond())
                .isCloseTo(166.67, org.assertj.core.data.Offset.offset(0.01));
    }
}
