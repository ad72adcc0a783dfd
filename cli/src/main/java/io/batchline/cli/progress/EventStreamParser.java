package io.batchline.cli.progress;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads {@code text/event-stream} as the HTML spec says: {@code field: value} lines, events
 * dispatched at a blank line, comment lines (heartbeats) ignored, {@code retry:} kept.
 */
final class EventStreamParser {

    private final BufferedReader reader;
    private String lastId;
    private long retryMillis = -1;

    EventStreamParser(InputStream body) {
        this.reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    /** The next event, or null when the stream ended. */
    ServerSentEvent next() throws IOException {
        String event = null;
        StringBuilder data = null;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (data != null) {
                    return new ServerSentEvent(lastId, event == null ? "message" : event, data.toString());
                }
                event = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> event = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                case "id" -> {
                    if (!value.contains("\0")) {
                        lastId = value;
                    }
                }
                case "retry" -> {
                    if (value.matches("[0-9]+")) {
                        retryMillis = Long.parseLong(value);
                    }
                }
                default -> {
                    // unknown fields are ignored, as the spec says
                }
            }
        }
        return null;
    }

    String lastId() {
        return lastId;
    }

    long retryMillis() {
        return retryMillis;
    }
}
