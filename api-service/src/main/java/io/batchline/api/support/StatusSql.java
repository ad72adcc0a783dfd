package io.batchline.api.support;

import io.batchline.model.status.BatchStatus;
import io.batchline.model.status.ItemStatus;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders the status rules of {@link BatchStatus} and {@link ItemStatus} into SQL, so no
 * statement spells a status list of its own. A statement's text block names a rule in
 * braces, e.g. {@code WHERE status IN ({STOPPABLE})}, and {@link #render} puts the
 * enum's answer there. The database's {@code status_transitions} guard refuses whatever a
 * statement might still get wrong.
 */
public final class StatusSql {

    private static final Map<String, String> RULES = Map.of(
            // batches a stop may move to stopping
            "{STOPPABLE}", quoted(BatchStatus.sourcesOf(BatchStatus.STOPPING)),
            // batches that are not terminal yet: pending, processing, stopping
            "{ACTIVE}", quoted(Arrays.stream(BatchStatus.values()).filter(s -> !s.isTerminal()).toList()),
            // batches whose items are still being published: those that can still complete or stop
            "{DISPATCHABLE}", quoted(Arrays.stream(BatchStatus.values())
                    .filter(s -> s.canMoveTo(BatchStatus.COMPLETED) || s.canMoveTo(BatchStatus.CANCELLED)).toList()),
            "{TERMINAL}", quoted(Arrays.stream(BatchStatus.values()).filter(BatchStatus::isTerminal).toList()),
            // (old, new) item status pairs a result may cause
            "{ITEM_ENDINGS}", itemEndings(),
            // items a retry round puts back to pending
            "{RETRIABLE_ITEMS}", quoted(ItemStatus.sourcesOf(ItemStatus.PENDING)),
            // items still waiting for their outcome
            "{UNFINISHED_ITEMS}", quoted(Arrays.stream(ItemStatus.values()).filter(s -> !s.isTerminal()).toList()));

    private StatusSql() {
    }

    /** The statement with every rule token replaced; fails on a token it does not know. */
    public static String render(String sql) {
        String rendered = sql;
        for (Map.Entry<String, String> rule : RULES.entrySet()) {
            rendered = rendered.replace(rule.getKey(), rule.getValue());
        }
        if (rendered.matches("(?s).*\\{[A-Z_]+}.*")) {
            throw new IllegalArgumentException("unknown status rule in: " + sql);
        }
        return rendered;
    }

    private static String itemEndings() {
        return Arrays.stream(ItemStatus.values())
                .flatMap(from -> Arrays.stream(ItemStatus.values())
                        .filter(to -> to.isTerminal() && from.canMoveTo(to))
                        .map(to -> "('" + from.wireName() + "', '" + to.wireName() + "')"))
                .collect(Collectors.joining(", "));
    }

    private static String quoted(Collection<? extends Enum<?>> statuses) {
        return statuses.stream().map(s -> "'" + s.name().toLowerCase(java.util.Locale.ROOT) + "'")
                .collect(Collectors.joining(", "));
    }
}
