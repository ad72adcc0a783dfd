package io.batchline.cli.commands;

import io.batchline.cli.ApiCommand;
import io.batchline.cli.ExitCodes;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

@Command(name = "diagnose", description = "Why is a batch not finished? The API's diagnosis: what its items wait for.")
public final class DiagnoseCommand extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "The batch id.")
    String id;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        JsonNode diagnosis = api().getJson("/api/batches/" + batchId(id) + "/diagnosis");
        PrintStream out = session().out();
        if (output.json()) {
            Printing.json(out, diagnosis);
            return ExitCodes.OK;
        }
        JsonNode facts = diagnosis.path("facts");
        out.println(Printing.text(diagnosis, "summary"));
        out.println();
        out.printf("%-16s %s%n", "batch", Printing.text(diagnosis, "batchId"));
        out.printf("%-16s %s (%s)%n", "status", Printing.text(diagnosis, "status"),
                diagnosis.path("finished").asBoolean(false) ? "finished" : "not finished");
        out.printf("%-16s %s%n", "counts", facts.path("counts").toString());
        out.printf("%-16s %s%n", "not dispatched", Printing.text(facts, "notDispatched"));
        out.printf("%-16s %s%n", "in flight", Printing.text(facts.path("inFlight"), "count"));
        for (JsonNode tier : facts.path("waitingForRetry")) {
            out.printf("%-16s %s items in %s, next due %s%s%n", "waiting", Printing.text(tier, "items"), Printing.text(tier, "queue"),
                    Printing.text(tier, "nextDueAt"), tier.path("topError").isObject()
                            ? " (" + Printing.text(tier.path("topError"), "code") + ": " + Printing.text(tier.path("topError"), "message") + ")" : "");
        }
        out.printf("%-16s %s%n", "failed", Printing.text(facts.path("failed"), "items"));
        out.printf("%-16s %s%n", "broker", Printing.text(facts.path("broker"), "status"));
        out.printf("%-16s %s%n", "stopping", Printing.text(facts.path("stop"), "stopping"));
        out.printf("%-16s %s%n", "checked at", Printing.text(diagnosis, "checkedAt"));
        return ExitCodes.OK;
    }
}
