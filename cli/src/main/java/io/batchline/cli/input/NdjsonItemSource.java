package io.batchline.cli.input;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One JSON object per line; blank lines are skipped. */
final class NdjsonItemSource implements ItemSource {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final BufferedReader reader;
    private long line;

    NdjsonItemSource(Reader reader) {
        this.reader = reader instanceof BufferedReader buffered ? buffered : new BufferedReader(reader);
    }

    @Override
    public JsonNode next() {
        try {
            String text;
            do {
                text = reader.readLine();
                if (text == null) {
                    return null;
                }
                line++;
                if (line == 1 && text.startsWith("\uFEFF")) {
                    text = text.substring(1);
                }
            } while (text.isBlank());
            JsonNode item;
            try {
                item = JSON.readTree(text);
            } catch (JacksonException e) {
                throw new InputProblem("line " + line + ": not valid JSON: " + e.getOriginalMessage());
            }
            if (!item.isObject()) {
                throw new InputProblem("line " + line + ": each line must be a JSON object, not " + item.getNodeType().name().toLowerCase());
            }
            return item;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long line() {
        return line;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
