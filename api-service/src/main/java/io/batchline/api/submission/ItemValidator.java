package io.batchline.api.submission;

import io.batchline.api.problem.ItemViolation;
import io.batchline.model.operations.ItemPayload;
import io.batchline.model.operations.Operation;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks one item against its operation's payload record: first that it binds (types,
 * unknown fields), then its Bean Validation constraints. Every problem is reported with
 * the item's index and the field's path, never with Jackson's or Hibernate's internals.
 */
@Component
class ItemValidator {

    /** Strict binding: unknown fields, floats for integers and nulls for primitives are errors. */
    static final JsonMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            // exact decimals: 1e400 stays 1e400 instead of becoming Infinity on the way to the database
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            // the submission reader reads items one at a time from one stream
            .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // {"key":"a","key":"b"} has no one meaning: refused rather than silently stored as one of them
            .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Validator validator;

    ItemValidator(Validator validator) {
        this.validator = validator;
    }

    /** The bound payload, or the reasons it is refused. */
    record Checked<P>(@Nullable P payload, List<ItemViolation> violations) {

        boolean valid() {
            return violations.isEmpty();
        }
    }

    <P extends ItemPayload> Checked<P> check(Operation<P> operation, int index, JsonNode item) {
        if (!item.isObject()) {
            return new Checked<>(null, List.of(new ItemViolation(index, null, "must be a JSON object")));
        }
        P payload;
        try {
            payload = STRICT.treeToValue(item, operation.payloadType());
        } catch (JacksonException e) {
            return new Checked<>(null, List.of(new ItemViolation(index, fieldPath(e), bindingMessage(e))));
        }
        return new Checked<>(payload, validate(payload, index, ""));
    }

    /** Bean Validation of any object (items, options), with paths prefixed by {@code prefix}. */
    <T> List<ItemViolation> validate(T value, int index, String prefix) {
        List<ItemViolation> violations = new ArrayList<>();
        for (ConstraintViolation<T> violation : validator.validate(value)) {
            String path = readablePath(violation.getPropertyPath().toString());
            violations.add(new ItemViolation(index, prefix + path, violation.getMessage()));
        }
        violations.sort((a, b) -> String.valueOf(a.field()).compareTo(String.valueOf(b.field())));
        return violations;
    }

    /**
     * Hibernate Validator names container elements with its own markers
     * ({@code headers<K>[Host].<map key>}, {@code expectStatus[0].<list element>}); a client
     * reads {@code headers[Host]} and {@code expectStatus[0]}.
     */
    static String readablePath(String path) {
        return path.replaceAll("\\.<(?:map key|map value|list element|iterable element|collection element)>", "")
                .replace("<K>[", "[").replace("<V>[", "[");
    }

    static @Nullable String fieldPath(JacksonException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            String prefix = pathOf(e, 1);
            return (prefix == null ? "" : prefix + ".") + unknown.getPropertyName();
        }
        return pathOf(e, 0);
    }

    private static @Nullable String pathOf(JacksonException e, int dropLast) {
        List<JacksonException.Reference> path = e.getPath();
        StringBuilder field = new StringBuilder();
        for (int i = 0; i < path.size() - dropLast; i++) {
            JacksonException.Reference ref = path.get(i);
            if (ref.getPropertyName() != null) {
                if (!field.isEmpty()) {
                    field.append('.');
                }
                field.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                field.append('[').append(ref.getIndex()).append(']');
            }
        }
        return field.isEmpty() ? null : field.toString();
    }

    static String bindingMessage(JacksonException e) {
        if (e instanceof UnrecognizedPropertyException) {
            return "unknown field";
        }
        if (e instanceof InvalidFormatException invalid) {
            return "value " + abbreviate(String.valueOf(invalid.getValue())) + " is not " + typeName(invalid.getTargetType());
        }
        if (e instanceof MismatchedInputException mismatch) {
            Class<?> target = mismatch.getTargetType();
            return target == null ? "has the wrong type" : "must be " + typeName(target);
        }
        return "cannot be read";
    }

    private static String typeName(@Nullable Class<?> type) {
        if (type == null) {
            return "value";
        }
        return switch (type.getSimpleName()) {
            case "String" -> "a string";
            case "int", "Integer", "long", "Long" -> "an integer";
            case "double", "Double", "float", "Float", "BigDecimal" -> "a number";
            case "boolean", "Boolean" -> "true or false";
            case "UUID" -> "a UUID";
            default -> type.isRecord() ? "an object" : "a " + type.getSimpleName();
        };
    }

    private static String abbreviate(String value) {
        return value.length() <= 40 ? "'" + value + "'" : "'" + value.substring(0, 40) + "...'";
    }
}
