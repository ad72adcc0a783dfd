package io.batchline.model.operations;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The built-in operations, known to both the API (for validation) and the workers. */
public final class Operations {

    public static final Operation<NoopItem> NOOP = new Operation<>("noop", NoopItem.class, true);
    public static final Operation<PriceUpdateItem> CONTENT_UPDATE_PRICE =
            new Operation<>("content.update-price", PriceUpdateItem.class, false);
    public static final Operation<UserCreateItem> USER_CREATE = new Operation<>("user.create", UserCreateItem.class, false);
    public static final Operation<UserUpdateItem> USER_UPDATE = new Operation<>("user.update", UserUpdateItem.class, false);
    public static final Operation<UserRefItem> USER_SOFT_DELETE = new Operation<>("user.soft-delete", UserRefItem.class, false);
    public static final Operation<UserRefItem> USER_TOUCH_LOGIN = new Operation<>("user.touch-login", UserRefItem.class, false);
    public static final Operation<UserLookupItem> USER_LOOKUP = new Operation<>("user.lookup", UserLookupItem.class, false);
    public static final Operation<HttpCallItem> HTTP_CALL = new Operation<>("http.call", HttpCallItem.class, false);

    public static final List<Operation<?>> BUILT_IN = List.of(NOOP, CONTENT_UPDATE_PRICE, USER_CREATE, USER_UPDATE,
            USER_SOFT_DELETE, USER_TOUCH_LOGIN, USER_LOOKUP, HTTP_CALL);

    /**
     * The name of the operation that exists only for chaos tests: {@code test.crash} halts
     * the worker's JVM on items that ask for it. Only its name is shared (both services must
     * declare the same queues); the worker owns its record and handler, and neither service
     * knows it unless started with its test-operations switch.
     */
    public static final String TEST_CRASH = "test.crash";
    public static final List<String> TEST_ONLY = List.of(TEST_CRASH);

    private static final Map<String, Operation<?>> BY_NAME = BUILT_IN.stream()
            .collect(Collectors.toUnmodifiableMap(Operation::name, Function.identity()));

    private Operations() {
    }

    /** A built-in operation. */
    public static Optional<Operation<?>> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public static List<String> names() {
        return BUILT_IN.stream().map(Operation::name).sorted().toList();
    }

    /** Names whose queues a service declares: the built-in ones, plus the test-only ones when enabled. */
    public static List<String> names(boolean withTestOperations) {
        return withTestOperations
                ? java.util.stream.Stream.concat(names().stream(), TEST_ONLY.stream()).sorted().toList()
                : names();
    }
}
