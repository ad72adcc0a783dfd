package io.batchline.api.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.model.messaging.ItemError;
import io.batchline.model.messaging.ItemResult;
import io.batchline.model.messaging.ItemResults;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ResultTrackerTests {

    private final UUID batch = UUID.randomUUID();

    @Test
    void keepsTheFirstResultOfEachItemInDeliveryOrder() {
        ItemResult first = ItemResult.succeeded(batch, 1, 0, 1, null);
        ItemResult redelivered = ItemResult.failed(batch, 1, 0, 2, new ItemError("x", "later"));
        ItemResult other = ItemResult.succeeded(batch, 2, 0, 1, null);

        List<ItemResult> chosen = ResultTracker.firstPerItem(List.of(
                new ItemResults(List.of(first, other)), new ItemResults(List.of(redelivered, other))));

        assertThat(chosen).containsExactly(first, other);
    }

    @Test
    void staleResultOfAnEarlierRoundDoesNotShadowTheCurrentOne() {
        ItemResult stale = ItemResult.failed(batch, 1, 0, 2, new ItemError("x", "round 0"));
        ItemResult current = ItemResult.succeeded(batch, 1, 1, 3, null);
        assertThat(ResultTracker.firstPerItem(List.of(new ItemResults(List.of(stale)), new ItemResults(List.of(current)))))
                .containsExactly(stale, current);
    }

    @Test
    void sameSeqInDifferentBatchesAreDifferentItems() {
        UUID otherBatch = UUID.randomUUID();
        List<ItemResult> chosen = ResultTracker.firstPerItem(List.of(new ItemResults(List.of(
                ItemResult.succeeded(batch, 0, 0, 1, null), ItemResult.succeeded(otherBatch, 0, 0, 1, null)))));
        assertThat(chosen).hasSize(2);
    }
}
