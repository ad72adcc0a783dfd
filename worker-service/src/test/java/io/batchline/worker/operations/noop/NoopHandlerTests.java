package io.batchline.worker.operations.noop;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.model.operations.NoopItem;
import io.batchline.worker.operations.ItemOutcome;
import io.batchline.worker.operations.WorkItem;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.json.JsonMapper;

class NoopHandlerTests {

    private final NoopHandler handler = new NoopHandler();
    private final JsonMapper json = JsonMapper.builder().build();

    @ParameterizedTest
    @CsvSource({"1000, 0.1, 100", "10000, 0.05, 500", "7, 0.5, 3", "100, 0.0, 0", "100, 1.0, 100", "3, 0.3, 0"})
    void failRateFailsExactlyFloorOfItemsTimesRate(int items, double rate, int expectedFailures) {
        long failures = IntStream.range(0, items).filter(seq -> NoopHandler.failsAt(seq, rate)).count();
        assertThat(failures).isEqualTo(expectedFailures);
    }

    @Test
    void echoesItsItemWithoutTheControlFields() {
        var raw = json.readTree("{\"key\":\"k\",\"delayMs\":0,\"failRate\":0.0,\"colour\":\"red\"}");
        List<ItemOutcome> outcomes = handler.handle(List.of(new WorkItem<>(UUID.randomUUID(), 0, 1, new NoopItem(0L, 0.0, null, "k"), raw)));
        assertThat(outcomes).singleElement().isInstanceOfSatisfying(ItemOutcome.Succeeded.class,
                ok -> assertThat(ok.result().toString()).isEqualTo("{\"key\":\"k\",\"colour\":\"red\"}"));
    }

    @Test
    void plannedFailureIsPermanentAndSaysWhy() {
        var raw = json.readTree("{\"failRate\":1.0}");
        List<ItemOutcome> outcomes = handler.handle(List.of(new WorkItem<>(UUID.randomUUID(), 0, 1, new NoopItem(null, 1.0, null, null), raw)));
        assertThat(outcomes).singleElement().isInstanceOfSatisfying(ItemOutcome.Failed.class, failed -> {
            assertThat(failed.retryable()).isFalse();
            assertThat(failed.error().code()).isEqualTo("noop.planned_failure");
        });
    }
}
