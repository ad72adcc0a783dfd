package io.batchline.system.soak;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * The soak's event log: every fault, action, submission and terminal observation, with the
 * time since the start and the wall clock, in one file. Faults, problems and the result also
 * go to standard output.
 */
final class EventLog implements AutoCloseable {

    private static final Set<String> ECHOED = Set.of("FAULT", "SOAK", "PROBLEM", "CHANGED", "RESULT", "VIOLATION", "SERVICE");

    private final long startNanos = System.nanoTime();
    private final Path file;
    private final PrintWriter out;

    EventLog(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.file = file;
        this.out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), true);
    }

    Path file() {
        return file;
    }

    /** Seconds since the soak started. */
    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    synchronized void log(String category, String message) {
        String line = String.format(Locale.ROOT, "[%9.3fs %s] %-9s %s", elapsedSeconds(), Instant.now(), category, message);
        out.println(line);
        if (ECHOED.contains(category)) {
            System.out.println("soak " + line);
        }
    }

    /** A line without time stamp (the result block). */
    synchronized void raw(String line) {
        out.println(line);
    }

    @Override
    public synchronized void close() {
        out.close();
    }
}
