package io.batchline.cli;

import picocli.CommandLine.Option;

/**
 * The connection flags, accepted before and after the command name (a mixin in both the
 * root command and every subcommand; the subcommand's value wins).
 */
public final class ConnectionOptions {

    @Option(names = "--url", paramLabel = "URL", description = "The API's base URL (else BATCHLINE_URL, else the profile's url, else http://localhost:8080).")
    String url;

    @Option(names = "--api-key", paramLabel = "KEY", description = "The API key (else BATCHLINE_API_KEY, else the profile's api_key). Visible to other users in the process list: prefer the environment or the config file.")
    String apiKey;

    @Option(names = "--profile", paramLabel = "NAME", description = "The config file's [NAME] section (else BATCHLINE_PROFILE, else default).")
    String profile;

    @Option(names = {"-v", "--verbose"}, description = "Log each request's method, URL, status and time to stderr (never headers or keys).")
    boolean verbose;

    static String either(String preferred, String fallback) {
        return preferred != null ? preferred : fallback;
    }
}
