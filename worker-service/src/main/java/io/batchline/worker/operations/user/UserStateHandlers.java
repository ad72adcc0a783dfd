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
              FROM unnest(?::uuid[], ?::text[]) AS v(id, tenant)
             WHERE u.id = v.id AND (u.tenant IS NULL OR v.tenant IS NULL OR u.tenant = v.tenant)
            RETURNING u.id, u.deleted_at
            """;
    static final String TOUCH_LOGIN = """
            UPDATE catalog.users u SET last_login_at = now()
              FROM unnest(?::uuid[], ?::text[]) AS v(id, tenant)
             WHERE u.id = v.id AND u.deleted_at IS NULL AND (u.tenant IS NULL OR v.tenant IS NULL OR u.tenant = v.tenant)
            RETURNING u.id, u.last_login_at
            """;
    /** Which of the users a stamp did not reach belong to another tenant than their item's. */
    static final String OTHERS_USERS = """
            SELECT v.id FROM unnest(?::uuid[], ?::text[]) AS v(id, tenant)
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
            Set<UUID> forbidden = new HashSet<>();
            if (stamped.size() < items.size()) {
                List<WorkItem<UserRefItem>> missing = items.stream().filter(i -> !stamped.containsKey(i.payload().userId())).toList();
                forbidden.addAll(jdbc.sql(OTHERS_USERS)
                        .params(List.of(SqlArrays.of("uuid", missing.stream().map(i -> i.payload().userId()).toArray(UUID[]::new)),
                                SqlArrays.of("text", missing.stream().map(WorkItem::tenant).toArray(String[]::new))))
                        .query(UUID.class).list());
            }
            changes.changed(stamped.keySet());
            List<ItemOutcome> outcomes = new ArrayList<>(items.size());
            for (WorkItem<UserRefItem> item : items) {
                String at = stamped.get(item.payload().userId());
                if (at == null && forbidden.contains(item.payload().userId())) {
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
