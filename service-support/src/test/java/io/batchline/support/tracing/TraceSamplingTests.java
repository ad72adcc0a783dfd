package io.batchline.support.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceSamplingTests {

    private static SamplingDecision decide(String endpoint, double probability) {
        return TraceSampling.sampler(endpoint, probability)
                .shouldSample(Context.root(), "0af7651916cd43dd8448eb211c80319c", "span", SpanKind.INTERNAL, Attributes.empty(), List.of())
                .getDecision();
    }

    @Test
    void withoutACollectorNothingIsRecorded() {
        assertThat(decide(null, 1.0)).isEqualTo(SamplingDecision.DROP);
        assertThat(decide(" ", 1.0)).isEqualTo(SamplingDecision.DROP);
    }

    @Test
    void withACollectorTheConfiguredShareIsRecorded() {
        assertThat(decide("http://collector:4318/v1/traces", 1.0)).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
        assertThat(decide("http://collector:4318/v1/traces", 0.0)).isEqualTo(SamplingDecision.DROP);
    }
}
