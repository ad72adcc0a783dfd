package io.batchline.model.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ItemHeadersTests {

    private final ItemHeaders first = new ItemHeaders(UUID.randomUUID(), 4, 1, 2, 6, "noop",
            new ItemHeaders.BatchTraits("acme", 10, 2));

    @Test
    void aPackNamesEachOfItsItemsWithThePacksOtherFields() {
        Map<String, Object> headers = first.toPackMap(List.of(4, 5, 9));

        assertThat(ItemHeaders.isPack(headers)).isTrue();
        assertThat(ItemHeaders.readAll(headers)).extracting(ItemHeaders::seq).containsExactly(4, 5, 9);
        assertThat(ItemHeaders.readAll(headers)).allSatisfy(item -> {
            assertThat(item.batchId()).isEqualTo(first.batchId());
            assertThat(item.round()).isEqualTo(1);
            assertThat(item.attempt()).isEqualTo(2);
            assertThat(item.maxAttempts()).isEqualTo(6);
            assertThat(item.traits()).isEqualTo(first.traits());
        });
        assertThat(first.packMessageId(9)).isEqualTo(first.batchId() + ":4-9:2");
    }

    @Test
    void aSingleItemIsItsOwnList() {
        assertThat(ItemHeaders.isPack(first.toMap())).isFalse();
        assertThat(ItemHeaders.readAll(first.toMap())).containsExactly(first);
    }

    @Test
    void packSeqsThatDoNotReadOrDisagreeWithTheFirstSeqNameNoItem() {
        for (Object seqs : List.of(List.of(), List.of(5, 6), List.of(4, "five"), List.of(4, List.of(5)), List.of(4, 5, 5))) {
            Map<String, Object> headers = new HashMap<>(first.toMap());
            headers.put(Topology.HEADER_PACK_SEQS, seqs);
            assertThat(ItemHeaders.readAll(headers)).as(seqs.toString()).isEmpty();
        }
        assertThatThrownBy(() -> first.toPackMap(List.of(5, 6))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> first.toPackMap(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
