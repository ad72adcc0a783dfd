package io.batchline.api.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.api.RealServicesTest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class PaginationIntegrationTests extends RealServicesTest {

    @Test
    void walksAllItemsPageByPageWithoutGapsOrRepeats() {
        String items = IntStream.range(0, 95).mapToObj(i -> "{\"email\":\"u" + i + "@x.io\"}").collect(Collectors.joining(","));
        UUID id = id(postJson("/api/batches", "{\"operation\":\"user.lookup\",\"items\":[" + items + "]}"));

        List<Integer> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = get("/api/batches/" + id + "/items?limit=20" + (cursor == null ? "" : "&cursor=" + cursor)).body();
            page.get("data").forEach(item -> seen.add(item.get("seq").asInt()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
            pages++;
        } while (cursor != null);

        assertThat(pages).isEqualTo(5);
        assertThat(seen).containsExactlyElementsOf(IntStream.range(0, 95).boxed().toList());
        JsonNode first = get("/api/batches/" + id + "/items?limit=1").body().get("data").get(0);
        assertThat(first.get("key").asString()).isEqualTo("u0@x.io");
        assertThat(first.get("status").asString()).isEqualTo("pending");
        assertThat(get("/api/batches/" + id + "/items?status=failed").body().get("data").size()).isZero();
    }

    @Test
    void listsACreatorsBatchesNewestFirstAcrossPages() {
        String creator = "creator-" + UUID.randomUUID();
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            submitted.add(id(postJson("/api/batches", "{\"operation\":\"user.lookup\",\"creator\":\"" + creator
                    + "\",\"items\":[{\"email\":\"a@b.io\"}]}")).toString());
        }
        List<String> listed = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = get("/api/batches?creator=" + creator + "&limit=2" + (cursor == null ? "" : "&cursor=" + cursor)).body();
            page.get("data").forEach(batch -> listed.add(batch.get("batchId").asString()));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
        } while (cursor != null);
        assertThat(listed).containsExactlyElementsOf(submitted.reversed());

        JsonNode seedPage = get("/api/batches/creator/" + creator + "?limit=10").body();
        assertThat(seedPage.get("data").size()).isEqualTo(5);
        assertThat(seedPage.get("nextCursor").isNull()).isTrue();
    }

    @Test
    void statsCountBatchesPerStatus() {
        postJson("/api/batches", "{\"operation\":\"user.lookup\",\"items\":[{\"email\":\"s@b.io\"}]}");
        JsonNode stats = get("/api/batches/stats").body();
        assertThat(stats.get("totalBatches").asLong()).isPositive();
        assertThat(stats.get("batchesByStatus").size()).isPositive();
    }
}
