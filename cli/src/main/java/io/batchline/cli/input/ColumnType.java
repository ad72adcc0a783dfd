package io.batchline.cli.input;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * How a CSV cell becomes a JSON value: {@link #INFERRED} guesses from the text, the others
 * are what {@code --schema column=type} asks for.
 */
public enum ColumnType {
    INFERRED, STRING, NUMBER, INTEGER, BOOLEAN, JSON;

    // no leading zeros ("007" is an identifier, not 7) and no leading '+', so the text survives
    private static final Pattern INTEGER_TEXT = Pattern.compile("-?(0|[1-9][0-9]*)");
    private static final Pattern DECIMAL_TEXT = Pattern.compile("-?(0|[1-9][0-9]*)\\.[0-9]+([eE][-+]?[0-9]+)?|-?(0|[1-9][0-9]*)[eE][-+]?[0-9]+");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    public static ColumnType parse(String name) {
        try {
            ColumnType type = valueOf(name.strip().toUpperCase(Locale.ROOT));
            if (type != INFERRED) {
                return type;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("unknown type '" + name + "': use string, number, integer, boolean or json");
    }

    /** The cell as JSON; an {@link IllegalArgumentException} says why it does not fit the type. */
    public JsonNode convert(String cell) {
        return switch (this) {
            case INFERRED -> infer(cell);
            case STRING -> NODES.stringNode(cell);
            case NUMBER -> cell.isBlank() ? NODES.nullNode() : number(cell.strip());
            case INTEGER -> cell.isBlank() ? NODES.nullNode() : integer(cell.strip());
            case BOOLEAN -> cell.isBlank() ? NODES.nullNode() : bool(cell.strip());
            case JSON -> cell.isBlank() ? NODES.nullNode() : json(cell);
        };
    }

    private static JsonNode infer(String cell) {
        if (cell.isEmpty()) {
            return NODES.nullNode();
        }
        if (INTEGER_TEXT.matcher(cell).matches()) {
            BigInteger value = new BigInteger(cell);
            return value.bitLength() < 64 ? NODES.numberNode(value.longValue()) : NODES.numberNode(value);
        }
        if (DECIMAL_TEXT.matcher(cell).matches()) {
            return NODES.numberNode(new BigDecimal(cell));
        }
        if (cell.equals("true") || cell.equals("false")) {
            return NODES.booleanNode(Boolean.parseBoolean(cell));
        }
        return NODES.stringNode(cell);
    }

    private static JsonNode number(String cell) {
        try {
            BigDecimal value = new BigDecimal(cell);
            return value.scale() <= 0 && value.precision() - value.scale() < 19
                    ? NODES.numberNode(value.longValueExact()) : NODES.numberNode(value);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + cell + "' is not a number");
        }
    }

    private static JsonNode integer(String cell) {
        try {
            BigInteger value = new BigInteger(cell);
            return value.bitLength() < 64 ? NODES.numberNode(value.longValue()) : NODES.numberNode(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + cell + "' is not an integer");
        }
    }

    private static JsonNode bool(String cell) {
        return switch (cell.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> NODES.booleanNode(true);
            case "false", "0", "no" -> NODES.booleanNode(false);
            default -> throw new IllegalArgumentException("'" + cell + "' is not a boolean (true/false, 1/0, yes/no)");
        };
    }

    private static JsonNode json(String cell) {
        try {
            return MAPPER.readTree(cell);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        }
    }
}
