package io.batchline.cli.commands;

import io.batchline.cli.ApiCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "watch", description = "Follow a batch to its end with a live progress bar; the exit code says how it ended.")
public final class WatchCommand extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "The batch id.")
    String id;

    @Mixin
    FollowOptions follow;

    @Option(names = {"-q", "--quiet"}, description = "No progress and no summary: only the exit code.")
    boolean quiet;

    @Override
    public Integer call() {
        String batchId = batchId(id);
        return follow.follow(session(), api(), batchId, quiet);
    }
}
