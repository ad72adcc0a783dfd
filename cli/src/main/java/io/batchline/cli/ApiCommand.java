package io.batchline.cli;

import io.batchline.cli.api.ApiClient;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** A subcommand: the connection flags, the session, and the exit code it returns. */
public abstract class ApiCommand implements Callable<Integer> {

    private static final Pattern BATCH_ID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    @Mixin
    ConnectionOptions connection;

    @ParentCommand
    BatchlineCli root;

    protected Session session() {
        return new Session(root, connection);
    }

    protected ApiClient api() {
        return session().api();
    }

    /** A batch id as typed; refused here, so a typo never becomes another path. */
    protected static String batchId(String id) {
        if (id == null || !BATCH_ID.matcher(id.strip()).matches()) {
            throw CliFailure.usage("'" + id + "' is not a batch id (a UUID like 01a20b9f-7c88-7eb1-a5fe-9addb07ede20)");
        }
        return id.strip().toLowerCase(java.util.Locale.ROOT);
    }
}
