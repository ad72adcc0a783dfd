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
import java.util.HashSet;
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
 */
@Component
class PriceUpdateHandler implements OperationHandler<PriceUpdateItem> {

    static final String UPDATE_PRICES = """
            UPDATE catalog.content c
               SET price = v.price, updated_at = now()
              FROM unnest(?::text[], ?::numeric[]) AS v(id, price)
             WHERE c.id = v.id
            RETURNING c.id
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
        Set<String> updated = new HashSet<>(jdbc.sql(UPDATE_PRICES)
                .params(List.of(SqlArrays.of("text", ids), SqlArrays.of("numeric", prices)))
                .query(String.class).list());

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
                outcomes.add(ItemOutcome.permanentFailure("content.not_found", "content '" + payload.contentId() + "' does not exist"));
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
