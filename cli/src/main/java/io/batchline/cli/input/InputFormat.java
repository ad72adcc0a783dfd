package io.batchline.cli.input;

import java.util.Locale;

/** The shapes of file {@code submit} reads. */
public enum InputFormat {
    CSV, NDJSON, JSON;

    /**
     * By extension when it says (.csv, .ndjson/.jsonl), else by the first non-blank
     * character: {@code [} a JSON array, <code>{</code> NDJSON, anything else CSV.
     */
    public static InputFormat detect(String fileName, int firstNonBlank) {
        String name = fileName == null ? "" : fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return CSV;
        }
        if (name.endsWith(".ndjson") || name.endsWith(".jsonl")) {
            return NDJSON;
        }
        if (firstNonBlank == '[') {
            return JSON;
        }
        if (firstNonBlank == '{') {
            return NDJSON;
        }
        return CSV;
    }
}
