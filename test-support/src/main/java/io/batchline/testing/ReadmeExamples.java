package io.batchline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fenced code blocks of the README, with where they stand: the line they start on, the
 * section ({@code ##}/{@code ###} heading) they are in, and the marker written right before
 * them. A {@code bash} block is an example that must run as written when pasted, unless an
 * HTML comment {@code <!-- example: not run (why) -->} stands on the line before its fence
 * (blank lines between are allowed).
 */
public final class ReadmeExamples {

    private static final Pattern NOT_RUN = Pattern.compile("<!--\\s*example:\\s*not run\\s*\\((.+?)\\)\\s*-->");
    private static final Pattern FENCE = Pattern.compile("^```\\s*([A-Za-z0-9_-]*)\\s*$");

    /**
     * One fenced block.
     *
     * @param line        the README line of its opening fence (1-based)
     * @param section     the heading it is under
     * @param notRunWhy   the reason its marker gives for not running it, or null without a marker
     */
    public record Block(int line, String language, String section, String text, String notRunWhy) {

        public boolean isRun() {
            return notRunWhy == null;
        }
    }

    private ReadmeExamples() {
    }

    /** The README of the repository the current module lives in (tests run in the module's directory). */
    public static Path readme() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path readme = dir.resolve("README.md");
            if (Files.exists(readme) && Files.exists(dir.resolve("mvnw"))) {
                return readme;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no README.md above " + Path.of("").toAbsolutePath());
    }

    public static List<Block> blocks(Path readme) {
        List<String> lines;
        try {
            lines = Files.readAllLines(readme);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Block> blocks = new ArrayList<>();
        String section = "";
        String marker = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher fence = FENCE.matcher(line);
            if (fence.matches()) {
                int start = i;
                StringBuilder text = new StringBuilder();
                for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
                    text.append(lines.get(i)).append('\n');
                }
                blocks.add(new Block(start + 1, fence.group(1), section, text.toString(), marker));
                marker = null;
                continue;
            }
            if (line.startsWith("## ") || line.startsWith("### ")) {
                section = line.replaceFirst("^#+\\s*", "");
            }
            Matcher notRun = NOT_RUN.matcher(line);
            if (notRun.find()) {
                marker = notRun.group(1);
            } else if (!line.isBlank()) {
                marker = null; // a marker belongs to the block right after it
            }
        }
        return blocks;
    }

    /** The {@code bash} blocks. */
    public static List<Block> bashBlocks(Path readme) {
        return blocks(readme).stream().filter(block -> block.language().equals("bash")).toList();
    }
}
