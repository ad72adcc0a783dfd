package io.batchline.cli.api;

import io.batchline.cli.ExitCodes;
import io.batchline.cli.CliFailure;
import tools.jackson.databind.JsonNode;

/**
 * The API refused a request or failed: its status and problem+json body (or a text body
 * when the answer was not a problem, e.g. from a proxy).
 */
public final class ApiProblem extends CliFailure {

    private final int status;
    private final JsonNode problem;
    private final String retryAfter;

    public ApiProblem(int status, JsonNode problem, String text, String retryAfter) {
        super(ExitCodes.API_ERROR, summary(status, problem, text));
        this.status = status;
        this.problem = problem;
        this.retryAfter = retryAfter;
    }

    private static String summary(int status, JsonNode problem, String text) {
        if (problem != null && problem.isObject()) {
            return problem.path("title").asString("HTTP " + status) + " (" + status + ")"
                    + (problem.path("detail").isString() ? ": " + problem.path("detail").asString() : "");
        }
        String body = text == null ? "" : text.strip();
        return "HTTP " + status + (body.isEmpty() ? "" : ": " + (body.length() > 300 ? body.substring(0, 300) + "…" : body));
    }

    public int status() {
        return status;
    }

    /** The problem+json body, or null when the answer was not JSON. */
    public JsonNode problem() {
        return problem;
    }

    /** The type's last path segment (e.g. {@code invalid-items}), or empty. */
    public String type() {
        if (problem == null) {
            return "";
        }
        String type = problem.path("type").asString("");
        return type.substring(type.lastIndexOf('/') + 1);
    }

    public String retryAfter() {
        return retryAfter;
    }
}
