package io.batchline.worker.operations.user;

import io.batchline.model.operations.Operation;
import io.batchline.model.operations.Operations;
import io.batchline.model.operations.UserUpdateItem;
import io.batchline.worker.operations.ItemFailure;
import io.batchline.worker.operations.ItemOutcome;
import io.batchline.worker.operations.PerItemHandler;
import io.batchline.worker.operations.WorkItem;
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
             WHERE id = :id AND deleted_at IS NULL
            RETURNING email, name
            """;

    private final JdbcClient jdbc;

    UserUpdateHandler(JdbcClient jdbc) {
        this.jdbc = jdbc;
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
        return ItemOutcome.succeeded(updated.orElseThrow(
                () -> ItemFailure.permanent("user.not_found", "user " + payload.userId() + " does not exist")));
    }
}
