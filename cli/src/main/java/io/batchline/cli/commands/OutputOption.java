package io.batchline.cli.commands;

import io.batchline.cli.output.OutputFormat;
import picocli.CommandLine.Option;

/** {@code --output table|json}. */
public final class OutputOption {

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table (default) or json (the API's answer as it is).")
    OutputFormat format;

    boolean json() {
        return format == OutputFormat.json;
    }
}
