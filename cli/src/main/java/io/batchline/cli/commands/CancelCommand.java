package io.batchline.cli.commands;

import io.batchline.cli.ApiCommand;
import io.batchline.cli.ExitCodes;
import io.batchline.cli.Session;
import io.batchline.cli.api.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

@Command(name = "cancel", description = "Stop a batch: items not yet run are cancelled, items running finish first.")
public final class CancelCommand extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "The batch id.")
    String id;

    @Option(names = {"-f", "--follow"}, description = "Follow the batch until it has stopped (exit code 4 once cancelled).")
    boolean followToEnd;

    @Mixin
    FollowOptions follow;

    @Mixin
    OutputOption output;

    @Override
    public Integer call() {
        String batchId = batchId(id);
        Session session = session();
        ApiClient api = session.api();
        JsonNode answer = api.postJson("/api/batches/" + batchId + "/cancel");
        if (output.json()) {
            Printing.json(session.out(), answer);
        } else {
            session.out().println("batch " + batchId + " " + Printing.text(answer, "status") + " (as " + Printing.text(answer, "stoppingAs") + ")");
        }
        return followToEnd ? follow.follow(session, api, batchId, output.json()) : ExitCodes.OK;
    }
}
