package io.batchline.cli.api;

import java.io.PrintStream;
import java.util.Set;
import java.util.function.LongUnaryOperator;
import tools.jackson.databind.JsonNode;

/**
 * A problem+json answer as people read it: title and status, detail, each offending item's
 * index (and the line of the input file it came from), field and message, and the other
 * fields the problem carries (e.g. {@code batchStatus}).
 */
public final class ProblemReport {

    private static final Set<String> SHOWN = Set.of("type", "title", "status", "detail", "instance", "errors", "invalidItems");

    private ProblemReport() {
    }

    /** {@code lineOfItem} maps an item index to its source line, or -1. */
    public static void print(PrintStream err, ApiProblem problem, LongUnaryOperator lineOfItem) {
        JsonNode body = problem.problem();
        if (body == null || !body.isObject()) {
            err.println("batchline: the API answered " + problem.getMessage());
            hint(err, problem);
            return;
        }
        err.println("batchline: " + body.path("title").asString("request refused") + " (" + problem.status()
                + (problem.type().isEmpty() ? "" : " " + problem.type()) + ")");
        if (body.path("detail").isString()) {
            err.println("  " + body.path("detail").asString());
        }
        JsonNode errors = body.path("errors");
        for (JsonNode error : errors) {
            StringBuilder line = new StringBuilder("  ");
            if (error.path("index").isNumber()) {
                long index = error.path("index").asLong();
                line.append("item ").append(index);
                long source = lineOfItem.applyAsLong(index);
                if (source > 0) {
                    line.append(" (line ").append(source).append(')');
                }
                line.append(": ");
            }
            if (error.path("field").isString() && !error.path("field").asString().isEmpty()) {
                line.append(error.path("field").asString()).append(": ");
            }
            line.append(error.path("message").asString(""));
            if (!line.toString().strip().equals(body.path("detail").asString(""))) {
                err.println(line);
            }
        }
        long invalid = body.path("invalidItems").asLong(0);
        if (invalid > errors.size() && errors.size() > 0) {
            err.println("  … and " + (invalid - errors.size()) + " more invalid items (the API lists the first " + errors.size() + ")");
        }
        for (var field : body.properties()) {
            if (!SHOWN.contains(field.getKey())) {
                JsonNode value = field.getValue();
                err.println("  " + field.getKey() + ": " + (value.isValueNode() ? value.asString() : value.toString()));
            }
        }
        hint(err, problem);
    }

    private static void hint(PrintStream err, ApiProblem problem) {
        if (problem.retryAfter() != null) {
            err.println("  retry after " + problem.retryAfter() + " s");
        }
        if (problem.status() == 401) {
            err.println("  check the API key: --api-key, BATCHLINE_API_KEY or the profile's api_key ('batchline config' shows which is used)");
        }
    }
}
