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

    static final String UPDATE_PRICES = """
            UPDATE catalog.content c
               SET price = v.price, updated_at = now()
              FROM unnest(?::text[], ?::numeric[], ?::text[]) AS v(id, price, tenant)
             WHERE c.id = v.id AND (c.creator IS NULL OR v.tenant IS NULL OR c.creator = v.tenant)
            RETURNING c.id
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
        Set<String> updated = new HashSet<>(jdbc.sql(UPDATE_PRICES)
                .params(List.of(SqlArrays.of("text", ids), SqlArrays.of("numeric", prices), SqlArrays.of("text", tenants)))
                .query(String.class).list());
        Map<String, String> ownerOfMissing = new HashMap<>();
        if (updated.size() < items.size()) {
            String[] missing = items.stream().map(i -> i.payload().contentId()).filter(id -> !updated.contains(id))
                    .distinct().toArray(String[]::new);
            jdbc.sql(OWNERS).params(List.<Object>of(SqlArrays.of("text", missing)))
                    .query((rs, row) -> ownerOfMissing.put(rs.getString(1), String.valueOf(rs.getString(2))))
                    .list();
        }

        List<PriceChangeNotifier.PriceChange> changes = new ArrayList<>();
        for (WorkItem<PriceUpdateItem> item : items) {
            if (updated.contains(item.payload().contentId())) {
                changes.add(new PriceChangeNotifier.PriceChange(item.payload().contentId(), item.payload().newPrice()));
            }
        }
        String warning = notifier.notify(changes);

        List<ItemOutcome> outcomes = new ArrayList<>(items.size());
        for (WorkItem<PriceUpdateItem> item : items) {
            PriceUpdateItem payload = item.payload();
            if (!updated.contains(payload.contentId())) {
                outcomes.add(ownerOfMissing.containsKey(payload.contentId())
                        ? ItemOutcome.permanentFailure("content.forbidden", "content '" + payload.contentId()
                                + "' belongs to another creator; tenant '" + item.tenant() + "' may not change it")
                        : ItemOutcome.permanentFailure("content.not_found", "content '" + payload.contentId() + "' does not exist"));
                continue;
            }
            ObjectNode result = JsonNodeFactory.instance.objectNode();
            result.put("contentId", payload.contentId());
            result.put("newPrice", payload.newPrice());
            if (warning != null) {
                result.put("warning", warning);
            }
            outcomes.add(ItemOutcome.succeeded(result));
        }
        return outcomes;
    }
}
