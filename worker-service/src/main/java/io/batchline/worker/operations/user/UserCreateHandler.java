package io.batchline.worker.operations.user;

import io.batchline.model.operations.Operation;
import io.batchline.model.operations.Operations;
import io.batchline.model.operations.UserCreateItem;
import io.batchline.worker.operations.ItemOutcome;
import io.batchline.worker.operations.OperationHandler;
import io.batchline.worker.operations.WorkItem;
import io.batchline.support.SqlArrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Creates a chunk of users with one INSERT. The password is hashed here and only the hash
 * is stored; a taken email fails that item permanently. Each row remembers the item that
 * created it, so a redelivered item finds its own row and succeeds instead of reporting
 * its own user as a duplicate. The new user belongs to the batch's tenant.
 */
@Component
class UserCreateHandler implements OperationHandler<UserCreateItem> {

    static final String INSERT_USERS = """
            INSERT INTO catalog.users (email, name, password_hash, source_item, tenant)
            SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
            ON CONFLICT DO NOTHING
            RETURNING id, source_item
            """;
    static final String EXISTING = """
            SELECT id, source_item FROM catalog.users
             WHERE lower(email) = ANY(?::text[]) AND deleted_at IS NULL
            """;

    private final JdbcClient jdbc;
    private final PasswordEncoder passwords;

    UserCreateHandler(JdbcClient jdbc, PasswordEncoder passwords) {
        this.jdbc = jdbc;
        this.passwords = passwords;
    }

    @Override
    public Operation<UserCreateItem> operation() {
        return Operations.USER_CREATE;
    }

    @Override
    public List<ItemOutcome> handle(List<WorkItem<UserCreateItem>> items) {
        int n = items.size();
        String[] emails = new String[n];
        String[] names = new String[n];
        String[] sources = new String[n];
        String[] tenants = new String[n];
        for (int i = 0; i < n; i++) {
            tenants[i] = items.get(i).tenant();
            emails[i] = items.get(i).payload().email();
            names[i] = items.get(i).payload().name();
            sources[i] = source(items.get(i));
        }
        // hashing is deliberately slow; spread it over the cores
        String[] hashes = items.parallelStream().map(i -> passwords.encode(i.payload().password())).toArray(String[]::new);

        Map<String, UUID> createdBySource = new HashMap<>();
        jdbc.sql(INSERT_USERS)
                .params(List.of(SqlArrays.of("text", emails), SqlArrays.of("text", names),
                        SqlArrays.of("text", hashes), SqlArrays.of("text", sources), SqlArrays.of("text", tenants)))
                .query((rs, row) -> createdBySource.put(rs.getString(2), rs.getObject(1, UUID.class)))
                .list();
        if (createdBySource.size() < n) {
            String[] lower = items.stream().map(i -> i.payload().email().toLowerCase(Locale.ROOT)).toArray(String[]::new);
            jdbc.sql(EXISTING).params(List.of(SqlArrays.of("text", lower)))
                    .query((rs, row) -> createdBySource.putIfAbsent(rs.getString(2), rs.getObject(1, UUID.class)))
                    .list();
        }

        List<ItemOutcome> outcomes = new ArrayList<>(n);
        for (WorkItem<UserCreateItem> item : items) {
            UUID id = createdBySource.get(source(item));
            if (id == null) {
                outcomes.add(ItemOutcome.permanentFailure("user.duplicate_email",
                        "a user with email " + item.payload().email() + " already exists"));
            } else {
                ObjectNode result = JsonNodeFactory.instance.objectNode();
                result.put("userId", id.toString());
                result.put("email", item.payload().email());
                outcomes.add(ItemOutcome.succeeded(result));
            }
        }
        return outcomes;
    }

    private static String source(WorkItem<?> item) {
        return item.batchId() + ":" + item.seq();
    }
}
