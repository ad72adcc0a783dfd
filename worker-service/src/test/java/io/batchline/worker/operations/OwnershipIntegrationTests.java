package io.batchline.worker.operations;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.model.operations.PriceUpdateItem;
import io.batchline.model.operations.UserRefItem;
import io.batchline.worker.WorkerIntegrationTest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Ownership decided per item, even when one handler call holds items of several tenants
 * for the same row (batches without chunk options share calls).
 */
class OwnershipIntegrationTests extends WorkerIntegrationTest {

    @Autowired
    List<OperationHandler<?>> handlers;

    @SuppressWarnings("unchecked")
    private <P extends io.batchline.model.operations.ItemPayload> OperationHandler<P> handler(String operation) {
        return (OperationHandler<P>) handlers.stream().filter(h -> h.operation().name().equals(operation)).findFirst().orElseThrow();
    }

    private static <P> WorkItem<P> item(int seq, P payload, String tenant) {
        return new WorkItem<>(UUID.randomUUID(), seq, 1, payload, JsonNodeFactory.instance.objectNode(), tenant);
    }

    @Test
    void twoTenantsPricingTheSameContentInOneCallGetTheirOwnVerdicts() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        String content = "owned-" + UUID.randomUUID();
        jdbc.sql("INSERT INTO catalog.content (id, creator, price) VALUES (?, 'owner', 1)").param(content).update();
        List<WorkItem<PriceUpdateItem>> items = new ArrayList<>();
        items.add(item(0, new PriceUpdateItem(content, new BigDecimal("5")), "owner"));
        items.add(item(1, new PriceUpdateItem(content, new BigDecimal("999")), "intruder"));
        items.add(item(2, new PriceUpdateItem("missing-" + UUID.randomUUID(), new BigDecimal("1")), "owner"));
        Collections.shuffle(items, random);

        List<ItemOutcome> outcomes = this.<PriceUpdateItem>handler("content.update-price").handle(items);
        for (int i = 0; i < items.size(); i++) {
            WorkItem<PriceUpdateItem> item = items.get(i);
            String expected = switch (item.seq()) {
                case 0 -> "ok";
                case 1 -> "content.forbidden";
                default -> "content.not_found";
            };
            assertThat(verdict(outcomes.get(i))).as("seed %d, item %d", seed, item.seq()).isEqualTo(expected);
        }
        assertThat(jdbc.sql("SELECT price FROM catalog.content WHERE id = ?").param(content).query(BigDecimal.class).single())
                .as("seed %d", seed).isEqualByComparingTo("5");
    }

    @Test
    void twoTenantsDeletingTheSameUserInOneCallGetTheirOwnVerdicts() {
        UUID user = jdbc.sql("INSERT INTO catalog.users (email, name, password_hash, tenant) VALUES (?, 'U', 'x', 'owner') RETURNING id")
                .param("u-" + UUID.randomUUID() + "@example.com").query(UUID.class).single();
        List<WorkItem<UserRefItem>> items = List.of(item(0, new UserRefItem(user), "intruder"), item(1, new UserRefItem(user), "owner"));
        List<ItemOutcome> outcomes = this.<UserRefItem>handler("user.soft-delete").handle(items);
        assertThat(verdict(outcomes.get(0))).isEqualTo("user.forbidden");
        assertThat(verdict(outcomes.get(1))).isEqualTo("ok");

        UUID other = jdbc.sql("INSERT INTO catalog.users (email, name, password_hash, tenant) VALUES (?, 'V', 'x', 'owner') RETURNING id")
                .param("v-" + UUID.randomUUID() + "@example.com").query(UUID.class).single();
        List<ItemOutcome> alone = this.<UserRefItem>handler("user.touch-login").handle(List.of(item(0, new UserRefItem(other), "intruder")));
        assertThat(verdict(alone.getFirst())).isEqualTo("user.forbidden");
        assertThat(jdbc.sql("SELECT last_login_at IS NULL FROM catalog.users WHERE id = ?").param(other).query(Boolean.class).single())
                .isTrue();
    }

    private static String verdict(ItemOutcome outcome) {
        return switch (outcome) {
            case ItemOutcome.Succeeded s -> "ok";
            case ItemOutcome.Failed f -> f.error().code();
        };
    }
}
