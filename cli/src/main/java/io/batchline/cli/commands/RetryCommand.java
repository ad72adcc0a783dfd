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

@Command(name = "retry", description = "Run an ended batch's failed items again, as a new round.")
public final class RetryCommand extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "The batch id.")
    String id;

    @Option(names = {"-f", "--follow"}, description = "Follow the new round to its end.")
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
        JsonNode answer = api.postJson("/api/batches/" + batchId + "/retry");
        if (output.json()) {
            Printing.json(session.out(), answer);
        } else {
            session.out().println("batch " + batchId + " " + Printing.text(answer, "status") + ": "
                    + Printing.text(answer, "retriedItems") + " failed items retried");
        }
        return followToEnd ? follow.follow(session, api, batchId, output.json()) : ExitCodes.OK;
    }
}
