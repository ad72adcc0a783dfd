package io.batchline.system;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A third-party server the monitoring tests run beside the stack (Debian's {@code prometheus}
 * and {@code prometheus-postgres-exporter}), from the PATH, on a free port, with its output in
 * {@code target/system-logs/<name>.log}. A missing binary fails the test with what to install:
 * it is never skipped ({@code .ci/run} installs both).
 */
final class ToolProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port = ServiceProcess.freePort();
    private final Path log;
    private Process process;

    private ToolProcess(String name) {
        this.name = name;
        this.log = Path.of("target", "system-logs", name + ".log");
    }

    /**
     * Starts {@code binary} with {@code arguments}, in which {@code {port}} stands for the free
     * port it listens on, and waits until {@code readyPath} answers 200.
     */
    static ToolProcess start(String binary, String debianPackage, List<String> arguments, Map<String, String> environment,
                             String readyPath) {
        Path executable = onPath(binary);
        if (executable == null) {
            throw new AssertionError("the monitoring test needs " + binary + " on the PATH: apt-get install " + debianPackage);
        }
        ToolProcess tool = new ToolProcess(binary);
        List<String> command = new ArrayList<>(List.of(executable.toString()));
        arguments.forEach(argument -> command.add(argument.replace("{port}", String.valueOf(tool.port))));
        try {
            Files.createDirectories(tool.log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(tool.log.toFile()));
            builder.environment().putAll(environment);
            tool.process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + binary, e);
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!tool.process.isAlive()) {
                throw new IllegalStateException(binary + " exited with " + tool.process.exitValue() + "; see " + tool.log.toAbsolutePath());
            }
            return tool.answers(readyPath);
        });
        return tool;
    }

    private boolean answers(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** host:port, as a scrape target. */
    String target() {
        return "127.0.0.1:" + port;
    }

    Path log() {
        return log;
    }

    private static Path onPath(String binary) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, binary)).filter(Files::isExecutable).findFirst().orElse(null);
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    @Override
    public String toString() {
        return name + " on " + target() + " (log " + log + ")";
    }
}
