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
import tools.jackson.databind.JsonNode;

@Command(name = "list", description = "List batches, newest first, one page at a time (--cursor for the next).")
public final class ListCommand extends ApiCommand {

    @Option(names = "--status", description = "Only batches in this status.")
    String status;

    @Option(names = "--operation", description = "Only batches of this operation.")
    String operation;

    @Option(names = "--creator", description = "Only batches of this tenant (admins see every tenant).")
    String creator;

    @Option(names = "--query", paramLabel = "TEXT", description = "A batch id or a top-level metadata value, exactly.")
    String query;

    @Option(names = "--limit", defaultValue = "20", description = "Batches per page, 1–1000 (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--cursor", description = "The page after the one that printed this cursor.")
    String cursor;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("status", status);
        parameters.put("operation", operation);
        parameters.put("creator", creator);
        parameters.put("q", query);
        parameters.put("limit", limit);
        parameters.put("cursor", cursor);
        JsonNode page = api().getJson("/api/batches" + ApiClient.query(parameters));
        PrintStream out = session().out();
        if (output.json()) {
            Printing.json(out, page);
            return ExitCodes.OK;
        }
        Table table = new Table("ID", "STATUS", "OPERATION", "ITEMS", "SUCCEEDED", "FAILED", "PENDING", "CREATED");
        for (JsonNode batch : page.path("data")) {
            JsonNode counts = batch.path("counts");
            table.row(Printing.text(batch, "batchId"), Printing.text(batch, "status"), Printing.text(batch, "operation"),
                    Printing.text(batch, "totalItems"), Printing.text(counts, "succeeded"), Printing.text(counts, "failed"),
                    Printing.text(counts, "pending"), Printing.text(batch, "createdAt"));
        }
        table.print(out);
        Printing.nextCursor(out, page, "batchline list");
        return ExitCodes.OK;
    }
}
