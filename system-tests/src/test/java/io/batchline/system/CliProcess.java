package io.batchline.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs {@code bin/batchline} as a separate process, as a user would, against one stack: its
 * URL and key come from the environment, never from a config file of the machine.
 */
final class CliProcess {

    private static final AtomicInteger RUNS = new AtomicInteger();

    /** What one run printed and how it ended. */
    record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private final Path launcher = Path.of(System.getProperty("batchline.launcher", "missing-batchline.launcher"));
    private final Map<String, String> environment;

    CliProcess(String apiUrl, String apiKey) {
        if (!Files.isRegularFile(Path.of(System.getProperty("batchline.cli.jar", "missing-batchline.cli.jar")))) {
            throw new IllegalStateException("cli/target/batchline.jar is missing: run the build with 'package' (or 'verify') first");
        }
        environment = Map.of("BATCHLINE_URL", apiUrl, "BATCHLINE_API_KEY", apiKey,
                "BATCHLINE_CONFIG", Path.of("target", "no-batchline-config").toAbsolutePath().toString(),
                "JAVA_HOME", System.getProperty("java.home"));
    }

    Path launcher() {
        return launcher;
    }

    Map<String, String> environment() {
        return environment;
    }

    Run run(String... args) {
        return run(Map.of(), args);
    }

    Run run(Map<String, String> extraEnvironment, String... args) {
        int n = RUNS.incrementAndGet();
        Path dir = Path.of("target", "cli-runs");
        Path out = dir.resolve(n + ".out");
        Path err = dir.resolve(n + ".err");
        try {
            Files.createDirectories(dir);
            List<String> command = new ArrayList<>(List.of(launcher.toString()));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().keySet().removeIf(name -> name.startsWith("BATCHLINE_"));
            builder.environment().putAll(environment);
            builder.environment().putAll(extraEnvironment);
            Process process = builder.start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("batchline " + String.join(" ", args) + " did not end in 5 minutes");
            }
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
