package io.batchline.worker.operations.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HttpCallRulesTests {

    @Test
    void hostRateLimitsAreHostWithOptionalPortEqualsRequestsPerPeriodWithOptionalBurst() {
        List<HostRateLimits.HostLimit> limits = HostRateLimits.parse(" API.example.com=50/1s , api.example.com:8443=10/2s:20,[::1]:80=5/1m");
        assertThat(limits).containsExactly(
                new HostRateLimits.HostLimit("api.example.com", -1, 50, Duration.ofSeconds(1), 50),
                new HostRateLimits.HostLimit("api.example.com", 8443, 10, Duration.ofSeconds(2), 20),
                new HostRateLimits.HostLimit("::1", 80, 5, Duration.ofMinutes(1), 5));
        assertThat(limits.get(1).bucketKey()).isEqualTo("http:api.example.com:8443");
        assertThat(HostRateLimits.match(limits, "api.example.com", 8443)).isEqualTo(limits.get(1));
        assertThat(HostRateLimits.match(limits, "api.example.com", 443)).isEqualTo(limits.get(0));
        assertThat(HostRateLimits.match(limits, "other.example.com", 443)).isNull();
        assertThat(HostRateLimits.parse("")).isEmpty();
    }

    @Test
    void malformedHostRateLimitsAreErrors() {
        assertThatThrownBy(() -> HostRateLimits.parse("api.example.com:50/1s")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host[:port]=requests/period");
        assertThatThrownBy(() -> HostRateLimits.parse("api.example.com=0/1s")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void retryAfterIsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-11-25T12:00:00Z");
        assertThat(RetryAfter.parse(Optional.of("7"), now)).isEqualTo(Duration.ofSeconds(7));
        assertThat(RetryAfter.parse(Optional.of("Wed, 25 Nov 2026 12:00:30 GMT"), now)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse(Optional.of("Wed, 25 Nov 2026 11:00:00 GMT"), now)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse(Optional.of("soon"), now)).isNull();
        assertThat(RetryAfter.parse(Optional.empty(), now)).isNull();
    }
}
