package io.batchline.api.submission;

import io.batchline.api.problem.ItemViolation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Finds values PostgreSQL would refuse or silently change, so that they are refused by field
 * instead: text with U+0000 or an unpaired surrogate (not valid Unicode, so not storable as
 * text or json), and numbers outside PostgreSQL's numeric range (which would otherwise turn
 * into "Infinity" or 0 on the way). What is accepted is stored as it was sent.
 */
final class StorableJson {

    /**
     * PostgreSQL's numeric goes much further, but it writes 1e9000 back as 9001 digits, which
     * no JSON reader here accepts (Jackson reads numbers of up to 1000 characters): so a
     * number may have at most 1000 digits on either side of the decimal point.
     */
    private static final int MAX_INTEGER_DIGITS = 1000;
    private static final int MAX_FRACTION_DIGITS = 1000;

    private StorableJson() {
    }

    static List<ItemViolation> problems(int index, JsonNode node) {
        List<ItemViolation> found = new ArrayList<>();
        visit(node, "", index, found);
        return found;
    }

    private static void visit(JsonNode node, String path, int index, List<ItemViolation> found) {
        if (node.isString()) {
            String why = textProblem(node.asString());
            if (why != null) {
                found.add(new ItemViolation(index, path.isEmpty() ? null : path, why));
            }
        } else if (node.isNumber()) {
            if (!storableNumber(node)) {
                found.add(new ItemViolation(index, path.isEmpty() ? null : path, "number is out of the storable range"));
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                String why = textProblem(field.getKey());
                if (why != null) {
                    found.add(new ItemViolation(index, path.isEmpty() ? null : path, "a field name " + why.replace("must", "that must")));
                } else {
                    visit(field.getValue(), fieldPath, index, found);
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                visit(node.get(i), path + "[" + i + "]", index, found);
            }
        }
    }

    private static String textProblem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                return "must not contain the NUL character";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "must not contain an unpaired surrogate (\\ud800-\\udfff without its pair)";
            }
            if (Character.isLowSurrogate(c)) {
                return "must not contain an unpaired surrogate (\\ud800-\\udfff without its pair)";
            }
        }
        return null;
    }

    private static boolean storableNumber(JsonNode node) {
        if (node.isDouble() || node.isFloat()) {
            return Double.isFinite(node.doubleValue());
        }
        if (node.isBigDecimal()) {
            BigDecimal value = node.decimalValue();
            if (value.signum() == 0) {
                return true;
            }
            long integerDigits = (long) value.precision() - value.scale();
            return integerDigits <= MAX_INTEGER_DIGITS && value.scale() <= MAX_FRACTION_DIGITS;
        }
        return true;
    }
}
