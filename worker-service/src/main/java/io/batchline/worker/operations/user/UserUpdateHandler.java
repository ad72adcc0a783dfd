package io.batchline.worker.operations.user;

import io.batchline.model.operations.Operation;
import io.batchline.model.operations.Operations;
import io.batchline.model.operations.UserUpdateItem;
import io.batchline.worker.operations.ItemFailure;
import io.batchline.worker.operations.ItemOutcome;
import io.batchline.worker.operations.PerItemHandler;
import io.batchline.worker.operations.WorkItem;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Changes one user's email and/or name. Item by item on purpose: a set-based UPDATE would
 * fail the whole chunk on one email clash, and each item must get its own verdict.
 */
@Component
class UserUpdateHandler implements PerItemHandler<UserUpdateItem> {

    static final String UPDATE_USER = """
            UPDATE catalog.users
               SET email = coalesce(:email, email), name = coalesce(:name, name), updated_at = now()
             WHERE id = :id AND deleted_at IS NULL AND (tenant IS NULL OR CAST(:tenant AS text) IS NULL OR tenant = :tenant)
            RETURNING email, name
            """;
    static final String OWNED_BY_OTHER = """
            SELECT 1 FROM catalog.users WHERE id = :id AND tenant IS NOT NULL AND tenant <> :tenant
            """;

    private final JdbcClient jdbc;
    private final UserChanges changes;

    UserUpdateHandler(JdbcClient jdbc, UserChanges changes) {
        this.jdbc = jdbc;
        this.changes = changes;
    }

    @Override
    public Operation<UserUpdateItem> operation() {
        return Operations.USER_UPDATE;
    }

    @Override
    public ItemOutcome handleOne(WorkItem<UserUpdateItem> item) {
        UserUpdateItem payload = item.payload();
        Optional<ObjectNode> updated;
        try {
            updated = jdbc.sql(UPDATE_USER)
                    .param("email", payload.email()).param("name", payload.name()).param("id", payload.userId())
                    .param("tenant", item.tenant())
                    .query((rs, row) -> {
                        ObjectNode result = JsonNodeFactory.instance.objectNode();
                        result.put("userId", payload.userId().toString());
                        result.put("email", rs.getString(1));
                        result.put("name", rs.getString(2));
                        return result;
                    })
                    .optional();
        } catch (DuplicateKeyException e) {
            throw ItemFailure.permanent("user.duplicate_email", "email " + payload.email() + " is used by another user");
        }
        if (updated.isEmpty()) {
            boolean othersUser = item.tenant() != null && jdbc.sql(OWNED_BY_OTHER).param("id", payload.userId())
                    .param("tenant", item.tenant()).query((rs, row) -> true).optional().isPresent();
            throw othersUser
                    ? ItemFailure.permanent("user.forbidden", "user " + payload.userId() + " belongs to another tenant; tenant '"
                            + item.tenant() + "' may not change it")
                    : ItemFailure.permanent("user.not_found", "user " + payload.userId() + " does not exist");
        }
        changes.changed(List.of(payload.userId()));
        return ItemOutcome.succeeded(updated.get());
    }
}
