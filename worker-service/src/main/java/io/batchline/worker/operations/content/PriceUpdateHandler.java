package io.batchline.worker.operations.content;

import io.batchline.model.operations.Operation;
import io.batchline.model.operations.Operations;
import io.batchline.model.operations.PriceUpdateItem;
import io.batchline.worker.operations.ItemOutcome;
import io.batchline.worker.operations.OperationHandler;
import io.batchline.worker.operations.WorkItem;
import io.batchline.support.SqlArrays;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The seeds' batch price update: one UPDATE sets the prices of a whole chunk, contents that
 * do not exist fail permanently, then the external service is told (best effort).
 *
 * <p>Seed 001's "verify creator": a content whose {@code creator} is another tenant is not
 * changed and its item fails for good ({@code content.forbidden}); the tracker audits it.
 * Telling that apart from a missing content costs a second query, only for the chunks that
 * have such items.
 */
@Component
class PriceUpdateHandler implements OperationHandler<PriceUpdateItem> {

    /**
     * One statement for the chunk; it returns the positions of the items whose row it
     * changed. A chunk can hold items of several tenants for the same content, so the
     * verdict is per item (position), never per content id.
     */
    static final String UPDATE_PRICES = """
            UPDATE catalog.content c
               SET price = v.price, updated_at = now()
              FROM unnest(?::text[], ?::numeric[], ?::text[]) WITH ORDINALITY AS v(id, price, tenant, position)
             WHERE c.id = v.id AND (c.creator IS NULL OR v.tenant IS NULL OR c.creator = v.tenant)
            RETURNING v.position
            """;
    static final String OWNERS = """
            SELECT id, creator FROM catalog.content WHERE id = ANY(?::text[])
            """;

    private final JdbcClient jdbc;
    private final PriceChangeNotifier notifier;

    PriceUpdateHandler(JdbcClient jdbc, PriceChangeNotifier notifier) {
        this.jdbc = jdbc;
        this.notifier = notifier;
    }

    @Override
    public Operation<PriceUpdateItem> operation() {
        return Operations.CONTENT_UPDATE_PRICE;
    }

    @Override
    @Transactional
    public List<ItemOutcome> handle(List<WorkItem<PriceUpdateItem>> items) {
        String[] ids = items.stream().map(i -> i.payload().contentId()).toArray(String[]::new);
        BigDecimal[] prices = items.stream().map(i -> i.payload().newPrice()).toArray(BigDecimal[]::new);
        String[] tenants = items.stream().map(WorkItem::tenant).toArray(String[]::new);
        // positions are 1-based; a content named twice in the chunk is changed once (by one of them)
        Set<Long> changedAt = new HashSet<>(jdbc.sql(UPDATE_PRICES)
                .params(List.of(SqlArrays.of("text", ids), SqlArrays.of("numeric", prices), SqlArrays.of("text", tenants)))
                .query(Long.class).list());
        Map<String, Optional<String>> owners = new HashMap<>();
        if (changedAt.size() < items.size()) {
            String[] unchanged = IntStream.range(0, items.size()).filter(i -> !changedAt.contains(i + 1L))
                    .mapToObj(i -> items.get(i).payload().contentId()).distinct().toArray(String[]::new);
            jdbc.sql(OWNERS).params(List.<Object>of(SqlArrays.of("text", unchanged)))
                    .query((rs, row) -> owners.put(rs.getString(1), Optional.ofNullable(rs.getString(2))))
                    .list();
        }

        List<ItemOutcome> outcomes = new ArrayList<>(items.size());
        List<PriceChangeNotifier.PriceChange> changes = new ArrayList<>();
        List<Integer> succeeded = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            WorkItem<PriceUpdateItem> item = items.get(i);
            PriceUpdateItem payload = item.payload();
            Optional<String> owner = owners.get(payload.contentId());
            if (changedAt.contains(i + 1L) || (owner != null && item.mayAccess(owner.orElse(null)))) {
                // changed by this item, or by another item of the chunk for the same content and owner
                changes.add(new PriceChangeNotifier.PriceChange(payload.contentId(), payload.newPrice()));
                succeeded.add(i);
                outcomes.add(null);
            } else if (owner != null) {
                outcomes.add(ItemOutcome.permanentFailure("content.forbidden", "content '" + payload.contentId()
                        + "' belongs to another creator; tenant '" + item.tenant() + "' may not change it"));
            } else {
                outcomes.add(ItemOutcome.permanentFailure("content.not_found", "content '" + payload.contentId() + "' does not exist"));
            }
        }
        String warning = notifier.notify(changes);
        for (int i : succeeded) {
            ObjectNode result = JsonNodeFactory.instance.objectNode();
            result.put("contentId", items.get(i).payload().contentId());
            result.put("newPrice", items.get(i).payload().newPrice());
            if (warning != null) {
                result.put("warning", warning);
            }
            outcomes.set(i, ItemOutcome.succeeded(result));
        }
        return outcomes;
    }
}
