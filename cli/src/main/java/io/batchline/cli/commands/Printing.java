package io.batchline.cli.commands;

import io.batchline.cli.api.ApiClient;
import java.io.PrintStream;
import tools.jackson.databind.JsonNode;

/** Shared bits of the read commands' output. */
final class Printing {

    private Printing() {
    }

    static void json(PrintStream out, JsonNode node) {
        out.println(ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
    }

    /** A text field, or "-" when it is missing or null. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? "-" : value.isValueNode() ? value.asString() : value.toString();
    }

    static void nextCursor(PrintStream out, JsonNode page, String command) {
        JsonNode next = page.path("nextCursor");
        if (next.isString()) {
            out.println("next cursor: " + next.asString() + "   (" + command + " --cursor " + next.asString() + ")");
        } else {
            out.println("(last page)");
        }
    }
}
