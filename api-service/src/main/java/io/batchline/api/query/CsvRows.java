package io.batchline.api.query;

import java.io.IOException;
import java.io.Writer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Items as CSV (RFC 4180): a header row, then one row per item, each ending in CRLF. A cell
 * with a comma, a double quote, CR or LF is quoted, its quotes doubled. Text a spreadsheet
 * would run as a formula (starting with {@code = + - @}, a tab or a CR) gets a leading
 * apostrophe, as OWASP advises against CSV injection: an item key {@code =HYPERLINK(…)} is
 * exported as {@code '=HYPERLINK(…)}. Numbers, statuses and timestamps are never touched.
 */
final class CsvRows {

    static final String HEADER = "seq,key,status,attempts,error_code,error_message,finished_at,result\r\n";

    private final Writer out;
    private final JsonMapper json;

    CsvRows(Writer out, JsonMapper json) {
        this.out = out;
        this.json = json;
    }

    void header() throws IOException {
        out.write(HEADER);
    }

    /** {@code result} as compact JSON text, the same value the JSON and NDJSON answers hold. */
    void row(ItemView item) throws IOException {
        out.write(Integer.toString(item.seq()));
        out.write(',');
        text(item.key());
        out.write(',');
        out.write(item.status());
        out.write(',');
        out.write(Integer.toString(item.attempts()));
        out.write(',');
        text(item.error() == null ? null : item.error().code());
        out.write(',');
        text(item.error() == null ? null : item.error().message());
        out.write(',');
        if (item.finishedAt() != null) {
            out.write(item.finishedAt().toString());
        }
        out.write(',');
        text(item.result() == null ? null : json.writeValueAsString(item.result()));
        out.write("\r\n");
    }

    /** One text cell: empty for null, guarded against formulas, quoted when it must be. */
    private void text(@Nullable String value) throws IOException {
        if (value == null || value.isEmpty()) {
            return;
        }
        out.write(cell(value));
    }

    static String cell(String value) {
        String guarded = startsLikeAFormula(value) ? "'" + value : value;
        boolean quote = false;
        for (int i = 0; i < guarded.length() && !quote; i++) {
            char c = guarded.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        return quote ? '"' + guarded.replace("\"", "\"\"") + '"' : guarded;
    }

    private static boolean startsLikeAFormula(String value) {
        char first = value.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
    }
}
