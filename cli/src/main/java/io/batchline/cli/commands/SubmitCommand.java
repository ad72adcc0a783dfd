package io.batchline.cli.commands;

import io.batchline.cli.ApiCommand;
import io.batchline.cli.CliFailure;
import io.batchline.cli.ExitCodes;
import io.batchline.cli.Session;
import io.batchline.cli.api.ApiClient;
import io.batchline.cli.api.ApiProblem;
import io.batchline.cli.api.ProblemReport;
import io.batchline.cli.input.ColumnType;
import io.batchline.cli.input.InputFormat;
import io.batchline.cli.input.InputProblem;
import io.batchline.cli.input.ItemSource;
import io.batchline.cli.input.NdjsonUpload;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "submit", description = {"Submit a file of items as one batch: CSV with a header row, NDJSON, or a JSON array.",
        "The file is streamed to the API as NDJSON while it is read."})
public final class SubmitCommand extends ApiCommand {

    @Parameters(paramLabel = "FILE", description = "The items; - reads stdin.")
    String file;

    @Option(names = "--operation", required = true, paramLabel = "OP", description = "The operation to run on every item (e.g. noop).")
    String operation;

    @Option(names = "--options", paramLabel = "KEY=VALUE", split = ",", mapFallbackValue = "",
            description = "Batch options, e.g. --options maxAttempts=3,continueOnError=false (values typed as in CSV).")
    Map<String, String> options = new LinkedHashMap<>();

    @Option(names = "--metadata", paramLabel = "KEY=VALUE", split = ",", description = "Batch metadata (strings).")
    Map<String, String> metadata = new LinkedHashMap<>();

    @Option(names = "--creator", paramLabel = "TENANT", description = "Submit for another tenant (admin keys only).")
    String creator;

    @Option(names = "--idempotency-key", paramLabel = "KEY", description = "A repeat with the same key returns the first batch instead of a new one.")
    String idempotencyKey;

    @Option(names = "--format", paramLabel = "FORMAT", description = "csv, ndjson or json (default: by extension, else by the first character).")
    InputFormat format;

    @Option(names = "--schema", paramLabel = "COLUMN=TYPE", split = ",",
            description = "CSV column types instead of inferred ones: string, number, integer, boolean or json.")
    Map<String, String> schema = new LinkedHashMap<>();

    @Option(names = {"-f", "--follow"}, description = "Follow the batch to its end; the exit code says how it ended.")
    boolean followToEnd;

    @Mixin
    FollowOptions follow;

    @Option(names = {"-q", "--quiet"}, description = "Print only the batch id (and no progress with --follow).")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        Session session = session();
        ApiClient api = session.api();
        Map<String, ColumnType> columnTypes = columnTypes();
        ObjectNode header = header();
        Map<String, String> headers = new LinkedHashMap<>();
        if (idempotencyKey != null) {
            headers.put("Idempotency-Key", idempotencyKey);
        }
        BufferedReader reader = open();
        InputFormat detected = format != null ? format : InputFormat.detect(file.equals("-") ? "" : file, firstNonBlank(reader));
        NdjsonUpload upload;
        try {
            upload = new NdjsonUpload(header, ItemSource.open(detected, reader, columnTypes));
        } catch (InputProblem e) {
            reader.close();
            throw new InputProblem(source() + ": " + e.getMessage());
        }
        HttpResponse<String> response;
        try (upload) {
            response = api.postStreaming("/api/batches", "application/x-ndjson", headers, () -> upload);
        } catch (CliFailure failure) {
            if (upload.failure() != null) {
                throw new InputProblem(source() + ": " + upload.failure().getMessage() + "; the upload was cut short and nothing was submitted");
            }
            throw failure;
        }
        if (upload.failure() != null && response.statusCode() < 400) {
            // cannot happen: a cut upload is never a complete request; refuse to pretend otherwise
            throw new CliFailure(ExitCodes.API_ERROR, "the API accepted an upload that was cut short: " + upload.failure().getMessage());
        }
        JsonNode accepted;
        try {
            accepted = api.json(response);
        } catch (ApiProblem problem) {
            ProblemReport.print(session.err(), problem, upload.lines()::lineOf);
            return problem.exitCode();
        }
        String batchId = accepted.path("batchId").asString();
        boolean replayed = response.headers().firstValue("Idempotent-Replayed").map("true"::equalsIgnoreCase).orElse(false);
        if (quiet) {
            session.out().println(batchId);
        } else {
            session.out().println("batch " + batchId + (replayed ? " (already submitted with this idempotency key)" : " accepted")
                    + ": " + accepted.path("totalItems").asLong() + " items, operation " + operation + ", status "
                    + accepted.path("status").asString());
        }
        return followToEnd ? follow.follow(session, api, batchId, quiet) : ExitCodes.OK;
    }

    private Map<String, ColumnType> columnTypes() {
        Map<String, ColumnType> types = new LinkedHashMap<>();
        schema.forEach((column, type) -> {
            try {
                types.put(column, ColumnType.parse(type));
            } catch (IllegalArgumentException e) {
                throw CliFailure.usage("--schema " + column + "=" + type + ": " + e.getMessage());
            }
        });
        return types;
    }

    private ObjectNode header() {
        ObjectNode header = JsonNodeFactory.instance.objectNode();
        header.put("operation", operation);
        if (creator != null) {
            header.put("creator", creator);
        }
        if (!options.isEmpty()) {
            ObjectNode values = header.putObject("options");
            options.forEach((name, value) -> values.set(name, ColumnType.INFERRED.convert(value)));
        }
        if (!metadata.isEmpty()) {
            ObjectNode values = header.putObject("metadata");
            metadata.forEach(values::put);
        }
        return header;
    }

    private BufferedReader open() {
        if (file.equals("-")) {
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8), 1 << 16);
        }
        try {
            Reader reader = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
            return new BufferedReader(reader, 1 << 16);
        } catch (NoSuchFileException e) {
            throw CliFailure.usage(file + ": no such file");
        } catch (IOException e) {
            throw CliFailure.usage(file + ": cannot be read: " + e.getMessage());
        }
    }

    private String source() {
        return file.equals("-") ? "stdin" : file;
    }

    /** Peeks at the first non-blank character (a byte-order mark skipped) and rewinds. */
    private static int firstNonBlank(BufferedReader reader) throws IOException {
        reader.mark(1 << 16);
        try {
            for (int i = 0; i < (1 << 16) - 1; i++) {
                int c = reader.read();
                if (c < 0) {
                    return -1;
                }
                if (!Character.isWhitespace(c) && c != '\uFEFF') {
                    return c;
                }
            }
            return -1;
        } finally {
            reader.reset();
        }
    }
}
