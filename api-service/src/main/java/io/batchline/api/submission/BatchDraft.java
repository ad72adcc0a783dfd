package io.batchline.api.submission;

import io.batchline.api.callback.OutboundPolicy;
import io.batchline.api.problem.BatchRejected;
import io.batchline.api.problem.ItemViolation;
import io.batchline.api.security.Caller;
import io.batchline.model.operations.ItemPayload;
import io.batchline.model.operations.Operation;
import io.batchline.model.operations.Operations;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One submission being received: header fields as they arrive and items one at a time.
 * Each item is validated and, while the batch is still clean, copied straight to the
 * database; after the first invalid item nothing more is copied but validation goes on, so
 * the answer lists every offending item (up to the cap). Lives inside the submission
 * transaction: any rejection rolls back what was copied.
 */
final class BatchDraft implements AutoCloseable {

    private final UUID batchId;
    private final Connection connection;
    private final ItemValidator validator;
    private final SubmissionLimits limits;

    private @Nullable Operation<?> operation;
    private final Caller caller;
    private String creator;
    private BatchOptions options = BatchOptions.DEFAULTS;
    private @Nullable JsonNode metadata;
    private @Nullable ItemCopy copy;
    /** Items that arrived before the operation was named; only then are items held. */
    private final List<JsonNode> waiting = new ArrayList<>();
    private final List<ItemViolation> violations = new ArrayList<>();
    private int invalidItems;
    private int items;

    private final OutboundPolicy outbound;
    private final SecretFields secrets;

    BatchDraft(UUID batchId, Connection connection, ItemValidator validator, SubmissionLimits limits, Caller caller,
               OutboundPolicy outbound, SecretFields secrets) {
        this.outbound = outbound;
        this.secrets = secrets;
        this.caller = caller;
        this.creator = caller.tenant();
        this.batchId = batchId;
        this.connection = connection;
        this.validator = validator;
        this.limits = limits;
    }

    /**
     * A test-only operation, when this API runs with its test-operations switch: its items
     * are any objects (the worker that runs them owns their record), checked as leniently
     * as {@code noop}'s.
     */
    private java.util.Optional<io.batchline.model.operations.Operation<?>> testOperation(String name) {
        return limits.testOperations() && Operations.TEST_ONLY.contains(name)
                ? java.util.Optional.of(new io.batchline.model.operations.Operation<>(name,
                        io.batchline.model.operations.NoopItem.class, true))
                : java.util.Optional.empty();
    }

    void operation(String name) {
        this.operation = Operations.byName(name).or(() -> testOperation(name)).orElseThrow(() -> BatchRejected.badRequest("unknown-operation",
                "Unknown operation", "operation '" + abbreviate(name) + "' does not exist; known operations: "
                        + String.join(", ", Operations.names())));
        for (JsonNode item : waiting) {
            accept(item);
        }
        waiting.clear();
    }

    void creator(String creator) {
        if (creator.isBlank() || creator.length() > 128) {
            throw BatchRejected.badRequest("invalid-request", "Invalid request", "creator must be 1 to 128 characters");
        }
        List<ItemViolation> unstorable = StorableJson.problems(-1, tools.jackson.databind.node.JsonNodeFactory.instance.stringNode(creator));
        if (!unstorable.isEmpty()) {
            // a NUL cannot be stored at all, and an unpaired surrogate would be stored as '?'
            throw BatchRejected.badRequest("invalid-request", "Invalid request", "creator " + unstorable.getFirst().message());
        }
        if (!caller.isAdmin() && !creator.equals(caller.tenant())) {
            throw new BatchRejected(HttpStatus.FORBIDDEN, "creator-mismatch", "Not your tenant",
                    "your key belongs to tenant '" + caller.tenant() + "'; only admins submit for other creators");
        }
        this.creator = creator;
    }

    void options(JsonNode node) {
        List<ItemViolation> unstorable = StorableJson.problems(-1, node);
        if (!unstorable.isEmpty()) {
            ItemViolation first = unstorable.getFirst();
            throw BatchRejected.badRequest("invalid-options", "Invalid options",
                    "options" + (first.field() == null ? "" : "." + first.field()) + ": " + first.message());
        }
        BatchOptions parsed;
        try {
            parsed = ItemValidator.STRICT.treeToValue(node, BatchOptions.class);
        } catch (JacksonException e) {
            String field = ItemValidator.fieldPath(e);
            throw BatchRejected.badRequest("invalid-options", "Invalid options",
                    "options" + (field == null ? "" : "." + field) + ": " + ItemValidator.bindingMessage(e));
        }
        List<ItemViolation> problems = validator.validate(parsed, -1, "options.");
        if (!problems.isEmpty()) {
            ItemViolation first = problems.getFirst();
            throw new BatchRejected(HttpStatus.BAD_REQUEST, "invalid-options", "Invalid options",
                    first.field() + ": " + first.message(), Map.of("errors", problems.stream()
                            .map(v -> Map.of("field", String.valueOf(v.field()), "message", v.message())).toList()));
        }
        if (parsed.callbackUrl() != null) {
            String refusal = outbound.refusal(parsed.callbackUrl());
            if (refusal != null) {
                throw BatchRejected.badRequest("invalid-options", "Invalid options", "options.callbackUrl " + refusal);
            }
        }
        this.options = parsed.withDefaults();
    }

    void metadata(JsonNode node) {
        if (!node.isObject()) {
            throw BatchRejected.badRequest("invalid-request", "Invalid request", "metadata must be a JSON object");
        }
        List<ItemViolation> unstorable = StorableJson.problems(-1, node);
        if (!unstorable.isEmpty()) {
            ItemViolation first = unstorable.getFirst();
            throw BatchRejected.badRequest("invalid-request", "Invalid request",
                    "metadata" + (first.field() == null ? "" : "." + first.field()) + ": " + first.message());
        }
        if (ItemValidator.STRICT.writeValueAsBytes(node).length > limits.maxMetadataBytes().toBytes()) {
            throw new BatchRejected(HttpStatus.CONTENT_TOO_LARGE, "metadata-too-large", "Metadata too large",
                    "metadata is larger than " + limits.maxMetadataBytes());
        }
        this.metadata = node;
    }

    /** Takes the next item; its index is its position in {@code items}. */
    void item(JsonNode item) {
        if (items + waiting.size() >= limits.maxItems()) {
            throw new BatchRejected(HttpStatus.CONTENT_TOO_LARGE, "too-many-items", "Too many items",
                    "a batch may hold at most " + limits.maxItems() + " items", Map.of("maxItems", limits.maxItems()));
        }
        if (operation == null) {
            waiting.add(item);
        } else {
            accept(item);
        }
    }

    private void accept(JsonNode item) {
        int index = items++;
        byte[] json = ItemValidator.STRICT.writeValueAsBytes(item);
        if (json.length > limits.maxItemBytes().toBytes()) {
            throw new BatchRejected(HttpStatus.CONTENT_TOO_LARGE, "item-too-large", "Item too large",
                    "item " + index + " is " + json.length + " bytes; the limit is " + limits.maxItemBytes().toBytes(),
                    Map.of("errors", List.of(new ItemViolation(index, null, "larger than " + limits.maxItemBytes().toBytes() + " bytes"))));
        }
        ItemValidator.Checked<? extends ItemPayload> checked = validator.check(requireOperation(), index, item);
        List<ItemViolation> problems = checked.valid() ? StorableJson.problems(index, item) : checked.violations();
        if (!problems.isEmpty()) {
            invalidItems++;
            for (ItemViolation problem : problems) {
                if (violations.size() < limits.maxReportedErrors()) {
                    violations.add(problem);
                }
            }
            return;
        }
        if (invalidItems == 0) {
            if (item instanceof ObjectNode object && secrets.protect(requireOperation(), object)) {
                json = ItemValidator.STRICT.writeValueAsBytes(object);
            }
            try {
                copy().write(index, checked.payload() == null ? null : checked.payload().itemKey(), json);
            } catch (SQLException e) {
                throw new IllegalStateException("COPY of batch items failed", e);
            }
        }
    }

    /** Validates what only the whole request can tell and completes the COPY; returns the item count. */
    int finish() throws SQLException {
        requireOperation();
        if (invalidItems > 0) {
            throw BatchRejected.invalidItems(List.copyOf(violations), invalidItems);
        }
        if (items == 0) {
            throw BatchRejected.badRequest("empty-batch", "Empty batch", "items must hold at least one item");
        }
        copy().finish();
        return items;
    }

    UUID batchId() {
        return batchId;
    }

    Operation<?> requireOperation() {
        if (operation == null) {
            throw BatchRejected.badRequest("missing-operation", "Missing operation", "the request names no operation");
        }
        return operation;
    }

    String creator() {
        return creator;
    }

    BatchOptions options() {
        return options;
    }

    @Nullable JsonNode metadata() {
        return metadata;
    }

    private ItemCopy copy() throws SQLException {
        if (copy == null) {
            copy = ItemCopy.open(connection, batchId);
        }
        return copy;
    }

    @Override
    public void close() throws SQLException {
        if (copy != null) {
            copy.close();
        }
    }


    private static String abbreviate(String value) {
        String clean = value.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= 64 ? clean : clean.substring(0, 64) + "...";
    }

}
