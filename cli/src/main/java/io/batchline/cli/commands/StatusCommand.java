package io.batchline.cli.commands;

import io.batchline.cli.ApiCommand;
import io.batchline.cli.ExitCodes;
import io.batchline.cli.progress.BatchSnapshot;
import io.batchline.cli.progress.ProgressDisplay;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

@Command(name = "status", description = "Show a batch: status, counts, progress, timing.")
public final class StatusCommand extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "The batch id.")
    String id;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        JsonNode batch = api().getJson("/api/batches/" + batchId(id));
        PrintStream out = session().out();
        if (output.json()) {
            Printing.json(out, batch);
            return ExitCodes.OK;
        }
        BatchSnapshot snapshot = BatchSnapshot.of(batch);
        JsonNode counts = batch.path("counts");
        String[][] rows = {
                {"batch", Printing.text(batch, "batchId")},
                {"operation", Printing.text(batch, "operation")},
                {"creator", Printing.text(batch, "creator")},
                {"status", Printing.text(batch, "status") + (batch.path("statusReason").isString() ? " (" + batch.path("statusReason").asString() + ")" : "")},
                {"items", Printing.text(batch, "totalItems")},
                {"succeeded", Printing.text(counts, "succeeded")},
                {"failed", Printing.text(counts, "failed")},
                {"pending", Printing.text(counts, "pending")},
                {"cancelled", Printing.text(counts, "cancelled")},
                {"timed out", Printing.text(counts, "timed_out")},
                {"progress", ProgressDisplay.describe(snapshot).strip()},
                {"created", Printing.text(batch, "createdAt")},
                {"started", Printing.text(batch, "startedAt")},
                {"completed", Printing.text(batch, "completedAt")},
                {"duration ms", Printing.text(batch, "durationMs")},
        };
        for (String[] row : rows) {
            out.printf("%-12s %s%n", row[0], row[1]);
        }
        return ExitCodes.OK;
    }
}
