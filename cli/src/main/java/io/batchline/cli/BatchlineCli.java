package io.batchline.cli;

import io.batchline.cli.api.ApiProblem;
import io.batchline.cli.api.ProblemReport;
import io.batchline.cli.commands.CancelCommand;
import io.batchline.cli.commands.ConfigCommand;
import io.batchline.cli.commands.DiagnoseCommand;
import io.batchline.cli.commands.ExportCommand;
import io.batchline.cli.commands.ItemsCommand;
import io.batchline.cli.commands.ListCommand;
import io.batchline.cli.commands.RetryCommand;
import io.batchline.cli.commands.StatusCommand;
import io.batchline.cli.commands.SubmitCommand;
import io.batchline.cli.commands.WatchCommand;
import io.batchline.cli.input.InputProblem;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code batchline}: the command line of the Batchline REST API. */
@Command(name = "batchline", mixinStandardHelpOptions = true, version = "batchline 0.1.0",
        description = "Submit files as batches, follow them, read, export, cancel and retry them.",
        subcommands = {SubmitCommand.class, WatchCommand.class, StatusCommand.class, ListCommand.class, ItemsCommand.class,
                ExportCommand.class, CancelCommand.class, RetryCommand.class, DiagnoseCommand.class, ConfigCommand.class,
                CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  done; a followed batch ended with every item succeeded",
                "  1  the API refused the request or failed (its problem is printed)",
                "  2  usage: wrong flags, no API key, an input file that cannot be read",
                "  3  a followed batch ended with some items failed",
                "  4  a followed batch was stopped: cancelled or timed out",
                "  5  the API could not be reached"})
public final class BatchlineCli implements Runnable {

    @Mixin
    ConnectionOptions connection;

    final Map<String, String> environment;
    final PrintStream out;
    final PrintStream err;
    final Terminal terminal;

    BatchlineCli(Map<String, String> environment, PrintStream out, PrintStream err, Terminal terminal) {
        this.environment = environment;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "name a command (batchline --help lists them)");
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        System.exit(run(args, System.getenv(), out, err, Terminal.detect(System.getenv())));
    }

    public static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err, Terminal terminal) {
        BatchlineCli root = new BatchlineCli(environment, out, err, terminal);
        CommandLine commandLine = new CommandLine(root);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler((exception, command, parseResult) -> {
            if (exception instanceof ApiProblem problem) {
                ProblemReport.print(err, problem, index -> -1);
                return problem.exitCode();
            }
            if (exception instanceof CliFailure failure) {
                err.println("batchline: " + failure.getMessage());
                return failure.exitCode();
            }
            if (exception instanceof InputProblem problem) {
                err.println("batchline: " + problem.getMessage());
                return ExitCodes.USAGE;
            }
            err.println("batchline: unexpected error: " + exception);
            if (root.connection.verbose) {
                exception.printStackTrace(err);
            }
            return ExitCodes.API_ERROR;
        });
        return commandLine.execute(args);
    }
}
