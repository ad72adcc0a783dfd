package io.batchline.cli.commands;

import io.batchline.cli.ApiCommand;
import io.batchline.cli.ExitCodes;
import io.batchline.cli.api.ApiClient;
import io.batchline.cli.output.Table;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

@Command(name = "items", description = "A page of a batch's items in seq order, with their results and errors (--cursor for the next).")
public final class ItemsCommand extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "The batch id.")
    String id;

    @Option(names = "--status", description = "Only items in this status: pending, succeeded, failed, cancelled, timed_out.")
    String status;

    @Option(names = "--limit", defaultValue = "50", description = "Items per page, 1–1000 (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--cursor", description = "The page after the one that printed this cursor.")
    String cursor;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        String batchId = batchId(id);
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("status", status);
        parameters.put("limit", limit);
        parameters.put("cursor", cursor);
        JsonNode page = api().getJson("/api/batches/" + batchId + "/items" + ApiClient.query(parameters));
        PrintStream out = session().out();
        if (output.json()) {
            Printing.json(out, page);
            return ExitCodes.OK;
        }
        Table table = new Table("SEQ", "KEY", "STATUS", "ATTEMPTS", "ERROR", "FINISHED");
        for (JsonNode item : page.path("data")) {
            JsonNode error = item.path("error");
            String errorText = error.isObject() ? error.path("code").asString("") + ": " + error.path("message").asString("") : "-";
            table.row(Printing.text(item, "seq"), Printing.text(item, "key"), Printing.text(item, "status"),
                    Printing.text(item, "attempts"), errorText, Printing.text(item, "finishedAt"));
        }
        table.print(out);
        Printing.nextCursor(out, page, "batchline items " + batchId + (status == null ? "" : " --status " + status));
        return ExitCodes.OK;
    }
}
