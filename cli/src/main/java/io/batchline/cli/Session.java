package io.batchline.cli;

import io.batchline.cli.api.ApiClient;
import io.batchline.cli.config.Settings;
import io.batchline.cli.config.SettingsResolver;
import java.io.PrintStream;
import java.util.Map;

/** What a command works with: its streams, the terminal, the settings in force and the API. */
public final class Session {

    private final BatchlineCli root;
    private final ConnectionOptions own;

    Session(BatchlineCli root, ConnectionOptions own) {
        this.root = root;
        this.own = own;
    }

    public PrintStream out() {
        return root.out;
    }

    public PrintStream err() {
        return root.err;
    }

    public Terminal terminal() {
        return root.terminal;
    }

    public Map<String, String> environment() {
        return root.environment;
    }

    public boolean verbose() {
        return own.verbose || root.connection.verbose;
    }

    public Settings settings() {
        return new SettingsResolver(root.environment).resolve(
                ConnectionOptions.either(own.url, root.connection.url),
                ConnectionOptions.either(own.apiKey, root.connection.apiKey),
                ConnectionOptions.either(own.profile, root.connection.profile));
    }

    public ApiClient api() {
        return new ApiClient(settings(), verbose() ? root.err : null);
    }
}
