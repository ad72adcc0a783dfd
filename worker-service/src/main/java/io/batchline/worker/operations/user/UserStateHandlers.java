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
              FROM unnest(?::uuid[]) AS v(id)
             WHERE u.id = v.id
            RETURNING u.id, u.deleted_at
            """;
    static final String TOUCH_LOGIN = """
            UPDATE catalog.users u SET last_login_at = now()
              FROM unnest(?::uuid[]) AS v(id)
             WHERE u.id = v.id AND u.deleted_at IS NULL
            RETURNING u.id, u.last_login_at
            """;

    @Bean
    OperationHandler<UserRefItem> softDeleteHandler(JdbcClient jdbc) {
        return new StampHandler(Operations.USER_SOFT_DELETE, SOFT_DELETE, "deletedAt", jdbc);
    }

    @Bean
    OperationHandler<UserRefItem> touchLoginHandler(JdbcClient jdbc) {
        return new StampHandler(Operations.USER_TOUCH_LOGIN, TOUCH_LOGIN, "lastLoginAt", jdbc);
    }

    /** Runs one timestamping UPDATE over a chunk and reports each user's new timestamp. */
    record StampHandler(Operation<UserRefItem> operation, String sql, String field, JdbcClient jdbc)
            implements OperationHandler<UserRefItem> {

        @Override
        public List<ItemOutcome> handle(List<WorkItem<UserRefItem>> items) {
            UUID[] ids = items.stream().map(i -> i.payload().userId()).toArray(UUID[]::new);
            Map<UUID, String> stamped = new HashMap<>();
            jdbc.sql(sql).params(List.of(SqlArrays.of("uuid", ids)))
                    .query((rs, row) -> stamped.put(rs.getObject(1, UUID.class), rs.getTimestamp(2).toInstant().toString()))
                    .list();
            List<ItemOutcome> outcomes = new ArrayList<>(items.size());
            for (WorkItem<UserRefItem> item : items) {
                String at = stamped.get(item.payload().userId());
                if (at == null) {
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
