package io.batchline.worker.operations;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.model.messaging.ItemResult;
import io.batchline.model.status.ItemStatus;
import io.batchline.worker.WorkerIntegrationTest;
import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BuiltInOperationsIntegrationTests extends WorkerIntegrationTest {

    @Test
    void priceUpdateSetsPricesAndFailsUnknownContentPermanently() {
        String a = "content-" + UUID.randomUUID();
        String b = "content-" + UUID.randomUUID();
        jdbc.sql("INSERT INTO catalog.content (id, creator, price) VALUES (?, 'SP2', 1), (?, 'SP2', 1)").params(a, b).update();
        UUID batch = UUID.randomUUID();
        publishItem("content.update-price", batch, 0, 1, "{\"contentId\":\"" + a + "\",\"newPrice\":1000000}");
        publishItem("content.update-price", batch, 1, 1, "{\"contentId\":\"" + b + "\",\"newPrice\":2.5}");
        publishItem("content.update-price", batch, 2, 1, "{\"contentId\":\"missing\",\"newPrice\":3}");

        List<ItemResult> results = awaitResults(batch, 3);
        assertThat(results).extracting(ItemResult::status)
                .containsExactly(ItemStatus.SUCCEEDED, ItemStatus.SUCCEEDED, ItemStatus.FAILED);
        assertThat(results.get(0).result().get("newPrice").decimalValue()).isEqualByComparingTo("1000000");
        assertThat(results.get(2).error().code()).isEqualTo("content.not_found");
        assertThat(jdbc.sql("SELECT price FROM catalog.content WHERE id = ?").param(b).query(BigDecimal.class).single())
                .isEqualByComparingTo("2.5");
    }

    @Test
    void userCreateStoresOnlyAHashAndRefusesATakenEmail() {
        UUID batch = UUID.randomUUID();
        String email = "ada-" + UUID.randomUUID() + "@example.com";
        publishItem("user.create", batch, 0, 1, "{\"email\":\"" + email + "\",\"name\":\"Ada\",\"password\":\"correct-horse\"}");
        awaitResults(batch, 1);
        publishItem("user.create", batch, 1, 1, "{\"email\":\"" + email.toUpperCase() + "\",\"name\":\"Eve\",\"password\":\"battery-staple\"}");

        List<ItemResult> results = awaitResults(batch, 2);
        assertThat(results.get(0).status()).isEqualTo(ItemStatus.SUCCEEDED);
        assertThat(results.get(1).status()).isEqualTo(ItemStatus.FAILED);
        assertThat(results.get(1).error().code()).isEqualTo("user.duplicate_email");
        assertThat(results.toString()).doesNotContain("correct-horse").doesNotContain("battery-staple");
        String hash = jdbc.sql("SELECT password_hash FROM catalog.users WHERE lower(email) = lower(?)").param(email)
                .query(String.class).single();
        assertThat(hash).startsWith("$2").doesNotContain("correct-horse");
    }

    @Test
    void redeliveredUserCreateFindsItsOwnRowAndSucceeds() {
        UUID batch = UUID.randomUUID();
        String body = "{\"email\":\"grace-" + UUID.randomUUID() + "@example.com\",\"name\":\"Grace\",\"password\":\"hopper-1906\"}";
        publishItem("user.create", batch, 0, 1, body);
        awaitResults(batch, 1);
        publishItem("user.create", batch, 0, 1, body);

        List<ItemResult> results = awaitResults(batch, 2);
        assertThat(results).extracting(ItemResult::status).containsOnly(ItemStatus.SUCCEEDED);
        assertThat(results.get(0).result().get("userId")).isEqualTo(results.get(1).result().get("userId"));
    }

    @Test
    void userLifecycleOperationsFindUpdateTouchAndSoftDelete() {
        UUID user = jdbc.sql("INSERT INTO catalog.users (email, name, password_hash) VALUES (?, 'Lin', 'x') RETURNING id")
                .param("lin-" + UUID.randomUUID() + "@example.com").query(UUID.class).single();
        UUID missing = UUID.randomUUID();
        UUID batch = UUID.randomUUID();
        publishItem("user.update", batch, 0, 1, "{\"userId\":\"" + user + "\",\"name\":\"Lin Chen\"}");
        publishItem("user.update", batch, 1, 1, "{\"userId\":\"" + missing + "\",\"name\":\"Nobody\"}");
        publishItem("user.touch-login", batch, 2, 1, "{\"userId\":\"" + user + "\"}");
        publishItem("user.lookup", batch, 3, 1, "{\"userId\":\"" + user + "\"}");
        List<ItemResult> firstRound = awaitResults(batch, 4);
        assertThat(firstRound).extracting(ItemResult::status)
                .containsExactly(ItemStatus.SUCCEEDED, ItemStatus.FAILED, ItemStatus.SUCCEEDED, ItemStatus.SUCCEEDED);
        assertThat(firstRound.get(1).error().code()).isEqualTo("user.not_found");
        assertThat(firstRound.get(3).result().has("passwordHash")).isFalse();

        publishItem("user.soft-delete", batch, 4, 1, "{\"userId\":\"" + user + "\"}");
        awaitResults(batch, 5);
        publishItem("user.lookup", batch, 5, 1, "{\"userId\":\"" + user + "\"}");
        publishItem("user.soft-delete", batch, 6, 1, "{\"userId\":\"" + missing + "\"}");
        List<ItemResult> results = awaitResults(batch, 7);
        assertThat(results.get(4).status()).isEqualTo(ItemStatus.SUCCEEDED);
        assertThat(results.get(5).error().code()).isEqualTo("user.not_found");
        assertThat(results.get(6).error().code()).isEqualTo("user.not_found");
    }

    @Test
    void itemWhoseBodyCannotBeReadIsReportedFailedNotRequeued() {
        UUID batch = UUID.randomUUID();
        publishItem("content.update-price", batch, 0, 1, "{\"contentId\": 12, \"newPrice\": \"lots\"");
        List<ItemResult> results = awaitResults(batch, 1);
        assertThat(results.get(0).status()).isEqualTo(ItemStatus.FAILED);
        assertThat(results.get(0).error().code()).isEqualTo("unreadable_payload");
    }
}
