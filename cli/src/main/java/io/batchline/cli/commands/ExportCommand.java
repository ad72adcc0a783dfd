package io.batchline.cli.commands;

import io.batchline.cli.ApiCommand;
import io.batchline.cli.CliFailure;
import io.batchline.cli.ExitCodes;
import io.batchline.cli.api.ApiClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", description = {"Download every item of a batch (or those in one status) as CSV or NDJSON.",
        "Streamed to disk as the API sends it; a transfer cut short leaves no file."})
public final class ExportCommand extends ApiCommand {

    private static final Pattern FILENAME = Pattern.compile("filename=\"([A-Za-z0-9._-]+)\"");

    enum Format { csv, ndjson }

    @Parameters(paramLabel = "ID", description = "The batch id.")
    String id;

    @Option(names = "--format", defaultValue = "csv", description = "csv (default) or ndjson.")
    Format format;

    @Option(names = "--status", description = "Only items in this status.")
    String status;

    @Option(names = "--file", paramLabel = "FILE", description = "Where to write (default: the name the API gives, in the current directory); - writes to stdout.")
    String file;

    @Option(names = "--force", description = "Overwrite FILE if it exists.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        String batchId = batchId(id);
        ApiClient api = api();
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("format", format.name());
        parameters.put("status", status);
        HttpResponse<InputStream> response = api.openStream(api.request("/api/batches/" + batchId + "/items" + ApiClient.query(parameters))
                .header("Accept", format == Format.csv ? "text/csv" : "application/x-ndjson").GET().build());
        if ("-".equals(file)) {
            try (InputStream body = response.body()) {
                body.transferTo(session().out());
                session().out().flush();
            } catch (IOException e) {
                throw new CliFailure(ExitCodes.UNREACHABLE, "the export was cut short: " + e.getMessage(), e);
            }
            return ExitCodes.OK;
        }
        Path target = Path.of(file != null ? file : suggestedName(response, batchId));
        if (Files.exists(target) && !force) {
            response.body().close();
            throw CliFailure.usage(target + " exists; pass --force to overwrite it");
        }
        Path absolute = target.toAbsolutePath();
        Path partial = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".part");
        long bytes;
        try (InputStream body = response.body(); OutputStream sink = Files.newOutputStream(partial)) {
            bytes = body.transferTo(sink);
        } catch (IOException e) {
            Files.deleteIfExists(partial);
            throw new CliFailure(ExitCodes.UNREACHABLE, "the export was cut short (" + e.getMessage() + "); no file was written", e);
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        session().out().println("wrote " + target + " (" + bytes + " bytes)");
        return ExitCodes.OK;
    }

    private String suggestedName(HttpResponse<?> response, String batchId) {
        String disposition = response.headers().firstValue("Content-Disposition").orElse("");
        Matcher name = FILENAME.matcher(disposition);
        return name.find() ? name.group(1) : "batch-" + batchId + "-items." + format.name();
    }
}
