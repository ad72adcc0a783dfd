package io.batchline.cli.input;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.csv.CsvMapper;
import tools.jackson.dataformat.csv.CsvReadFeature;

/**
 * CSV (RFC 4180) with a header row: each row becomes an object whose fields are the header's
 * columns, each cell converted by its column's {@link ColumnType} (inferred unless the
 * schema names it).
 */
final class CsvItemSource implements ItemSource {

    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvReadFeature.WRAP_AS_ARRAY).build();

    private final MappingIterator<String[]> rows;
    private final List<String> columns = new ArrayList<>();
    private final List<ColumnType> types = new ArrayList<>();
    private long line;

    CsvItemSource(Reader reader, Map<String, ColumnType> schema) {
        try {
            rows = CSV.readerFor(String[].class).readValues(reader);
            if (!rows.hasNextValue()) {
                throw new InputProblem("the CSV file is empty: it needs a header row naming the columns");
            }
            String[] header = rows.nextValue();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < header.length; i++) {
                String name = header[i].strip();
                if (i == 0 && name.startsWith("\uFEFF")) {
                    name = name.substring(1);
                }
                if (name.isEmpty()) {
                    throw new InputProblem("line 1: header column " + (i + 1) + " has no name");
                }
                if (!seen.add(name)) {
                    throw new InputProblem("line 1: the header names column '" + name + "' twice");
                }
                columns.add(name);
                types.add(schema.getOrDefault(name, ColumnType.INFERRED));
            }
            for (String named : schema.keySet()) {
                if (!seen.contains(named)) {
                    throw new InputProblem("--schema names column '" + named + "', but the header has " + columns);
                }
            }
        } catch (JacksonException e) {
            throw new InputProblem("line 1: cannot read the CSV header: " + message(e));
        }
    }

    @Override
    public JsonNode next() {
        try {
            if (!rows.hasNextValue()) {
                return null;
            }
            // the location before the row is read is where the row starts (quoted cells may span lines)
            line = rows.currentLocation().getLineNr();
            String[] cells = rows.nextValue();
            if (cells.length == 1 && cells[0].isEmpty() && columns.size() > 1) {
                return next(); // a blank line
            }
            if (cells.length > columns.size()) {
                throw new InputProblem("line " + line + ": " + cells.length + " cells, but the header has " + columns.size() + " columns");
            }
            ObjectNode item = JsonNodeFactory.instance.objectNode();
            for (int i = 0; i < columns.size(); i++) {
                String cell = i < cells.length ? cells[i] : "";
                try {
                    item.set(columns.get(i), types.get(i).convert(cell));
                } catch (IllegalArgumentException e) {
                    throw new InputProblem("line " + line + ", column '" + columns.get(i) + "': " + e.getMessage());
                }
            }
            return item;
        } catch (JacksonException e) {
            throw new InputProblem("line " + Math.max(line, 2) + ": not valid CSV: " + message(e));
        }
    }

    private static String message(JacksonException e) {
        return e.getOriginalMessage();
    }

    @Override
    public long line() {
        return line;
    }

    @Override
    public void close() throws IOException {
        rows.close();
    }
}
