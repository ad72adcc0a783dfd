package io.batchline.api.submission;

import io.batchline.api.problem.BatchRejected;
import java.io.InputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a submission body as a token stream and feeds a {@link BatchDraft}: the items
 * array is never materialised, only one item at a time. Two formats: one JSON object
 * ({@code {operation, creator, options, metadata, items: [...]}}) or NDJSON (the same
 * header object without items on the first line, then one item per line).
 */
final class SubmissionReader {

    private static final JsonMapper MAPPER = ItemValidator.STRICT;

    private SubmissionReader() {
    }

    static void readJson(InputStream body, BatchDraft draft) {
        try (JsonParser parser = MAPPER.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw malformed("the body must be a JSON object", parser);
            }
            readHeader(parser, draft, true);
            if (parser.nextToken() != null) {
                throw malformed("unexpected content after the JSON object", parser);
            }
        } catch (StreamReadException e) {
            throw malformed(e);
        }
    }

    static void readNdjson(InputStream body, BatchDraft draft) {
        try (JsonParser parser = MAPPER.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw malformed("the first line must be the batch header object", parser);
            }
            readHeader(parser, draft, false);
            while (parser.nextToken() != null) {
                draft.item(readTree(parser));
            }
        } catch (StreamReadException e) {
            throw malformed(e);
        }
    }

    /** Reads the fields of the object the parser is at, up to and including its END_OBJECT. */
    private static void readHeader(JsonParser parser, BatchDraft draft, boolean itemsAllowed) {
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "operation" -> draft.operation(text(parser, value, field));
                case "creator" -> draft.creator(text(parser, value, field));
                case "options" -> {
                    if (value != JsonToken.VALUE_NULL) {
                        draft.options(readTree(parser));
                    }
                }
                case "metadata" -> {
                    if (value != JsonToken.VALUE_NULL) {
                        draft.metadata(readTree(parser));
                    }
                }
                case "items" -> {
                    if (!itemsAllowed) {
                        throw BatchRejected.badRequest("invalid-request", "Invalid request",
                                "in NDJSON the items follow the header line, one per line");
                    }
                    if (value != JsonToken.START_ARRAY) {
                        throw BatchRejected.badRequest("invalid-request", "Invalid request", "items must be an array");
                    }
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        draft.item(readTree(parser));
                    }
                }
                default -> throw BatchRejected.badRequest("unknown-field", "Unknown field",
                        "unknown field '" + field + "'; a batch has operation, creator, options, metadata and items");
            }
        }
    }

    private static String text(JsonParser parser, JsonToken token, String field) {
        if (token != JsonToken.VALUE_STRING) {
            throw BatchRejected.badRequest("invalid-request", "Invalid request", field + " must be a string");
        }
        return parser.getString();
    }

    private static JsonNode readTree(JsonParser parser) {
        try {
            return MAPPER.readTree(parser);
        } catch (StreamReadException e) {
            throw malformed(e);
        } catch (JacksonException e) {
            throw BatchRejected.badRequest("malformed-json", "Malformed JSON", "the body is not valid JSON");
        }
    }

    private static BatchRejected malformed(StreamReadException e) {
        TokenStreamLocation at = e.getLocation();
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        String why = String.valueOf(e.getOriginalMessage()).startsWith("Duplicate Object property")
                ? "the body names the same field twice in one object" : "the body is not valid JSON";
        return BatchRejected.badRequest("malformed-json", "Malformed JSON", why + where);
    }

    private static BatchRejected malformed(String why, JsonParser parser) {
        TokenStreamLocation at = parser.currentTokenLocation();
        return BatchRejected.badRequest("malformed-json", "Malformed JSON",
                why + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
    }
}
