package io.batchline.worker.operations.user;

import io.batchline.model.operations.Operation;
import io.batchline.model.operations.Operations;
import io.batchline.model.operations.UserRefItem;
import io.batchline.worker.operations.ItemOutcome;
import io.batchline.worker.operations.OperationHandler;
import io.batchline.worker.operations.WorkItem;
import io.batchline.support.SqlArrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Soft delete and touch-login: both stamp a timestamp on a chunk of users with one UPDATE.
 * A user that does not exist fails permanently; deleting an already deleted user succeeds
 * (so a redelivered delete is harmless) and says so.
 */
@Configuration(proxyBeanMethods = false)
class UserStateHandlers {

    static final String SOFT_DELETE = """
            UPDATE catalog.users u SET deleted_at = coalesce(u.deleted_at, now()), updated_at = now()
              FROM unnest(?::uuid[], ?::text[]) WITH ORDINALITY AS v(id, tenant, position)
             WHERE u.id = v.id AND (u.tenant IS NULL OR v.tenant IS NULL OR u.tenant = v.tenant)
            RETURNING u.id, u.deleted_at
            """;
    static final String TOUCH_LOGIN = """
            UPDATE catalog.users u SET last_login_at = now()
              FROM unnest(?::uuid[], ?::text[]) WITH ORDINALITY AS v(id, tenant, position)
             WHERE u.id = v.id AND u.deleted_at IS NULL AND (u.tenant IS NULL OR v.tenant IS NULL OR u.tenant = v.tenant)
            RETURNING u.id, u.last_login_at
            """;
    /**
     * The positions (1-based) of the chunk's items whose user belongs to another tenant than
     * the item's. Per item, not per user id: one chunk may hold items of several tenants
     * for the same user, and the owner's item may have stamped it.
     */
    static final String OTHERS_USERS = """
            SELECT v.position FROM unnest(?::uuid[], ?::text[]) WITH ORDINALITY AS v(id, tenant, position)
              JOIN catalog.users u ON u.id = v.id
             WHERE u.tenant IS NOT NULL AND v.tenant IS NOT NULL AND u.tenant <> v.tenant
            """;

    @Bean
    OperationHandler<UserRefItem> softDeleteHandler(JdbcClient jdbc, UserChanges changes) {
        return new StampHandler(Operations.USER_SOFT_DELETE, SOFT_DELETE, "deletedAt", jdbc, changes);
    }

    @Bean
    OperationHandler<UserRefItem> touchLoginHandler(JdbcClient jdbc, UserChanges changes) {
        return new StampHandler(Operations.USER_TOUCH_LOGIN, TOUCH_LOGIN, "lastLoginAt", jdbc, changes);
    }

    /** Runs one timestamping UPDATE over a chunk and reports each user's new timestamp. */
    record StampHandler(Operation<UserRefItem> operation, String sql, String field, JdbcClient jdbc, UserChanges changes)
            implements OperationHandler<UserRefItem> {

        @Override
        public List<ItemOutcome> handle(List<WorkItem<UserRefItem>> items) {
            UUID[] ids = items.stream().map(i -> i.payload().userId()).toArray(UUID[]::new);
            String[] tenants = items.stream().map(WorkItem::tenant).toArray(String[]::new);
            Map<UUID, String> stamped = new HashMap<>();
            jdbc.sql(sql).params(List.of(SqlArrays.of("uuid", ids), SqlArrays.of("text", tenants)))
                    .query((rs, row) -> stamped.put(rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant().toString()))
                    .list();
            Set<Long> forbidden = new HashSet<>();
            // only a chunk with an unstamped user, or one user asked for by several tenants, can hold a refusal
            Map<UUID, Set<String>> tenantsPerUser = new HashMap<>();
            items.forEach(i -> tenantsPerUser.computeIfAbsent(i.payload().userId(), id -> new HashSet<>()).add(String.valueOf(i.tenant())));
            boolean refusalPossible = items.stream().anyMatch(i -> !stamped.containsKey(i.payload().userId()))
                    || tenantsPerUser.values().stream().anyMatch(t -> t.size() > 1);
            if (refusalPossible) {
                forbidden.addAll(jdbc.sql(OTHERS_USERS).params(List.of(SqlArrays.of("uuid", ids), SqlArrays.of("text", tenants)))
                        .query(Long.class).list());
            }
            changes.changed(stamped.keySet());
            List<ItemOutcome> outcomes = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                WorkItem<UserRefItem> item = items.get(i);
                // the stamp of the user, unless this item's tenant may not touch it (the owner's item may have stamped it)
                String at = forbidden.contains(i + 1L) ? null : stamped.get(item.payload().userId());
                if (at == null && forbidden.contains(i + 1L)) {
                    outcomes.add(ItemOutcome.permanentFailure("user.forbidden", "user " + item.payload().userId()
                            + " belongs to another tenant; tenant '" + item.tenant() + "' may not change it"));
                } else if (at == null) {
                    outcomes.add(ItemOutcome.permanentFailure("user.not_found", "user " + item.payload().userId() + " does not exist"));
                } else {
                    ObjectNode result = JsonNodeFactory.instance.objectNode();
                    result.put("userId", item.payload().userId().toString());
                    result.put(field, at);
                    outcomes.add(ItemOutcome.succeeded(result));
                }
            }
            return outcomes;
        }
    }
}
