package io.batchline.cli.input;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Items read one at a time from a file, each with the line it starts on. */
public interface ItemSource extends Closeable {

    /** The next item, or null at the end; an {@link InputProblem} names the line that is wrong. */
    JsonNode next();

    /** The 1-based line the item {@link #next()} returned last starts on. */
    long line();

    static ItemSource open(InputFormat format, Reader reader, Map<String, ColumnType> schema) {
        if (format != InputFormat.CSV && !schema.isEmpty()) {
            throw new InputProblem("--schema applies to CSV input only");
        }
        return switch (format) {
            case CSV -> new CsvItemSource(reader, schema);
            case NDJSON -> new NdjsonItemSource(reader);
            case JSON -> new JsonArrayItemSource(reader);
        };
    }

    @Override
    void close() throws IOException;
}
