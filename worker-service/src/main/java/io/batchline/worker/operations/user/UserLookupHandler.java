package io.batchline.worker.operations.user;

import io.batchline.model.operations.Operation;
import io.batchline.model.operations.Operations;
import io.batchline.model.operations.UserLookupItem;
import io.batchline.worker.operations.ItemOutcome;
import io.batchline.worker.operations.OperationHandler;
import io.batchline.worker.operations.WorkItem;
import io.batchline.support.SqlArrays;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Reads a chunk of users (by id or email) with one SELECT; the password hash is never read. */
@Component
class UserLookupHandler implements OperationHandler<UserLookupItem> {

    static final String FIND_USERS = """
            SELECT id, email, name, created_at, last_login_at, tenant FROM catalog.users
             WHERE deleted_at IS NULL AND (id = ANY(?::uuid[]) OR lower(email) = ANY(?::text[]))
            """;

    private final JdbcClient jdbc;

    UserLookupHandler(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Operation<UserLookupItem> operation() {
        return Operations.USER_LOOKUP;
    }

    @Override
    public List<ItemOutcome> handle(List<WorkItem<UserLookupItem>> items) {
        UUID[] ids = items.stream().map(i -> i.payload().userId()).filter(Objects::nonNull).toArray(UUID[]::new);
        String[] emails = items.stream().map(i -> i.payload().email()).filter(Objects::nonNull)
                .map(e -> e.toLowerCase(Locale.ROOT)).toArray(String[]::new);
        Map<String, ObjectNode> found = new HashMap<>();
        Map<String, String> owners = new HashMap<>();
        jdbc.sql(FIND_USERS).params(List.of(SqlArrays.of("uuid", ids), SqlArrays.of("text", emails)))
                .query((rs, row) -> {
                    ObjectNode user = JsonNodeFactory.instance.objectNode();
                    user.put("userId", rs.getString(1));
                    user.put("email", rs.getString(2));
                    user.put("name", rs.getString(3));
                    user.put("createdAt", rs.getTimestamp(4).toInstant().toString());
                    Timestamp lastLogin = rs.getTimestamp(5);
                    user.put("lastLoginAt", lastLogin == null ? null : lastLogin.toInstant().toString());
                    found.put(rs.getString(1), user);
                    found.put(rs.getString(2).toLowerCase(Locale.ROOT), user);
                    owners.put(rs.getString(1), rs.getString(6));
                    return user;
                })
                .list();
        List<ItemOutcome> outcomes = new ArrayList<>(items.size());
        for (WorkItem<UserLookupItem> item : items) {
            UserLookupItem payload = item.payload();
            String key = payload.userId() != null ? payload.userId().toString() : String.valueOf(payload.email()).toLowerCase(Locale.ROOT);
            ObjectNode user = found.get(key);
            // another tenant's user reads as missing, like another tenant's batch on the API
            if (user != null && !item.mayAccess(owners.get(user.get("userId").asString()))) {
                user = null;
            }
            outcomes.add(user != null ? ItemOutcome.succeeded(user)
                    : ItemOutcome.permanentFailure("user.not_found", "no user " + payload.itemKey()));
        }
        return outcomes;
    }
}
