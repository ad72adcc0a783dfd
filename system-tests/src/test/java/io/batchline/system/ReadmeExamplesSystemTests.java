package io.batchline.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.testing.ReadmeExamples;
import java.io.IOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.awaitility.core.ConditionTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every shell example in the README runs as written. Each {@code ```bash} block, in README
 * order, is pasted into one bash session (so variables a block sets, such as {@code ID},
 * are there for the blocks after it, as in a user's terminal), against the API and a worker
 * running as processes: {@code KEY} is an admin key, and {@code localhost:8080} (API),
 * {@code :8090} (its management port) and {@code :808N} (worker N, as {@code up.sh} numbers
 * them) are rewritten to this stack's ports. A block fails when any command in it exits
 * non-zero, and curl is made to exit non-zero on an HTTP error (a {@code .curlrc} with
 * {@code fail-with-body}, which a user does not need: the answer is printed either way). A
 * block marked {@code <!-- example: not run (why) -->} is skipped. Failures are reported
 * with the block's README line, the lines of the failing commands and the block's output.
 */
class ReadmeExamplesSystemTests {

    private static final Duration BLOCK_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern LOCAL_PORT = Pattern.compile("localhost:(80[89]\\d)\\b");

    private static BatchlineStack stack;

    @BeforeAll
    static void startStack() {
        stack = new BatchlineStack(Map.of()).startApi();
        stack.startWorker();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void everyShellExampleRunsAsWritten() throws Exception {
        Path readme = ReadmeExamples.readme();
        List<ReadmeExamples.Block> blocks = ReadmeExamples.bashBlocks(readme);
        assertThat(blocks).as("bash blocks in the README").hasSizeGreaterThan(10);
        Path dir = shellDirectory(readme.getParent());
        Process shell = startShell(dir);
        List<String> failures = new ArrayList<>();
        int ran = 0;
        try (Writer input = shell.outputWriter(StandardCharsets.UTF_8)) {
            for (ReadmeExamples.Block block : blocks) {
                if (!block.isRun()) {
                    continue;
                }
                ran++;
                String name = "block-" + block.line();
                Files.writeString(dir.resolve(name + ".sh"), mapPorts(block.text()));
                input.write("__example " + name + "\n");
                input.flush();
                Path done = dir.resolve(name + ".done");
                try {
                    // the shell writes NAME.done when the block has run
                    await().atMost(BLOCK_TIMEOUT).pollInterval(Duration.ofMillis(50))
                            .until(() -> Files.exists(done) || !shell.isAlive());
                } catch (ConditionTimeoutException e) {
                    // reported below: the block did not finish
                }
                String output = read(dir.resolve(name + ".out"));
                if (!Files.exists(done)) {
                    failures.add(report(block, shell.isAlive() ? "did not finish within " + BLOCK_TIMEOUT.toSeconds() + " s"
                            : "ended the shell", output));
                    break; // the session is gone: later blocks would run without what this one set
                }
                // the block's own commands (the sourcing function's status repeats the last one)
                List<String> errors = read(dir.resolve(name + ".err")).lines().filter(line -> line.endsWith(" " + name + ".sh")).toList();
                if (!errors.isEmpty()) {
                    failures.add(report(block, "commands failed (exit status at README line): " + errors.stream()
                            .map(error -> {
                                String[] parts = error.split(" ");
                                return parts[0] + " at " + (block.line() + Integer.parseInt(parts[1]));
                            }).distinct().toList(), output));
                }
            }
        } finally {
            shell.descendants().forEach(ProcessHandle::destroy);
            shell.destroy();
        }
        assertThat(failures).as("README shell examples that do not run as written (their files are in " + dir + ")").isEmpty();
        assertThat(ran).as("blocks run").isGreaterThan(10);
        deleteTree(dir); // kept when the test fails, to look at
    }

    /** The README's ports as this stack's: 8080 the API, 8090 its management port, 808N worker N. */
    private static String mapPorts(String script) {
        Matcher matcher = LOCAL_PORT.matcher(script);
        return matcher.replaceAll(match -> {
            int port = Integer.parseInt(match.group(1));
            String url = port == 8080 ? stack.api().url("")
                    : port == 8090 ? stack.api().managementUrl("")
                    : port - 8080 <= stack.workers().size() ? stack.workers().get(port - 8081).managementUrl("")
                    : null;
            return url == null ? match.group() : "127.0.0.1:" + URI.create(url).getPort();
        });
    }

    /**
     * A scratch directory (downloads land there, not in the work tree) holding links to the
     * repository's top-level entries, so an example that names {@code bin/…} or {@code deploy/…}
     * finds them as it would in a checkout, and a {@code .run/admin-key} with the stack's admin
     * key, as {@code deploy/local/up.sh} leaves one.
     */
    private static Path shellDirectory(Path repository) throws IOException {
        Path dir = Files.createTempDirectory("readme-examples");
        try (Stream<Path> entries = Files.list(repository)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.equals(".git") && !name.equals(".run")) {
                    Files.createSymbolicLink(dir.resolve(name), entry);
                }
            }
        }
        Files.writeString(dir.resolve(".curlrc"), "fail-with-body\n");
        // what deploy/local/up.sh leaves behind: the examples read the admin key from there
        Files.createDirectories(dir.resolve(".run"));
        Files.writeString(dir.resolve(".run").resolve("admin-key"), BatchlineStack.ADMIN_KEY);
        return dir;
    }

    /**
     * One bash for all blocks. {@code __example NAME} sources {@code NAME.sh} into the session
     * (so its variables stay), its output into {@code NAME.out}; an ERR trap (inherited by
     * functions and subshells) writes each failing command's status and line to {@code NAME.err};
     * {@code NAME.done} says it has run.
     */
    private static Process startShell(Path dir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("bash", "--noprofile", "--norc").directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("shell.log").toFile());
        Map<String, String> environment = builder.environment();
        environment.put("KEY", BatchlineStack.ADMIN_KEY);
        environment.put("HOME", dir.toString());
        environment.put("CURL_HOME", dir.toString());
        // for tools that read them (deploy/demo.sh, bin/batchline)
        environment.put("API_URL", stack.api().url(""));
        environment.put("BATCHLINE_URL", stack.api().url(""));
        environment.put("BATCHLINE_API_KEY", BatchlineStack.ADMIN_KEY);
        Process shell = builder.start();
        try (Writer setup = Files.newBufferedWriter(dir.resolve("session.sh"))) {
            setup.write("""
                    set -E
                    trap 'echo "$? $LINENO ${BASH_SOURCE[0]##*/}" >> "$__ERRORS"' ERR
                    __example() {
                      __ERRORS="$PWD/$1.err"; : > "$__ERRORS"
                      source "$PWD/$1.sh" > "$PWD/$1.out" 2>&1 < /dev/null
                      echo done > "$PWD/$1.done"
                    }
                    """);
        }
        Writer input = shell.outputWriter(StandardCharsets.UTF_8);
        input.write("source ./session.sh\n");
        input.flush();
        return shell;
    }

    private static String report(ReadmeExamples.Block block, String what, String output) {
        return "README.md line " + block.line() + " (" + block.section() + "): " + what + "\n--- block:\n" + block.text()
                + "--- output:\n" + output;
    }

    /** Removes the scratch directory; the links in it are removed, never followed. */
    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
