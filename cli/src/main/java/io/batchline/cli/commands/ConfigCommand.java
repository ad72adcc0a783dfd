package io.batchline.cli.commands;

import io.batchline.cli.ApiCommand;
import io.batchline.cli.ExitCodes;
import io.batchline.cli.Session;
import io.batchline.cli.config.ConfigFile;
import io.batchline.cli.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;

@Command(name = "config", description = "Show the settings in force and where each comes from (the key masked).")
public final class ConfigCommand extends ApiCommand {

    @Override
    public Integer call() {
        Session session = session();
        Settings settings = session.settings();
        Path file = ConfigFile.location(session.environment());
        session.out().printf("%-12s %s%n", "config file", file + (Files.isRegularFile(file) ? "" : " (not found)"));
        session.out().printf("%-12s %s%n", "profile", settings.profile());
        session.out().printf("%-12s %s   (from %s)%n", "url", settings.url(), settings.urlSource());
        session.out().printf("%-12s %s   (from %s)%n", "api key", settings.maskedApiKey(), settings.apiKeySource());
        return ExitCodes.OK;
    }
}
