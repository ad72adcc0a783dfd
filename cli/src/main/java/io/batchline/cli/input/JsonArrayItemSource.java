package io.batchline.cli.input;

import java.io.IOException;
import java.io.Reader;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A JSON array of objects, read element by element (the array is never held whole). */
final class JsonArrayItemSource implements ItemSource {

    // elements are read one after another from one parser: what follows an element is the next one
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(tools.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private final JsonParser parser;
    private long line;
    private boolean done;

    JsonArrayItemSource(Reader reader) {
        try {
            parser = JSON.createParser(reader);
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new InputProblem("line " + parser.currentTokenLocation().getLineNr() + ": a JSON input must be an array of items");
            }
        } catch (JacksonException e) {
            throw new InputProblem("not valid JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public JsonNode next() {
        if (done) {
            return null;
        }
        try {
            JsonToken token = parser.nextToken();
            if (token == JsonToken.END_ARRAY) {
                done = true;
                return null;
            }
            line = parser.currentTokenLocation().getLineNr();
            if (token != JsonToken.START_OBJECT) {
                throw new InputProblem("line " + line + ": each array element must be a JSON object");
            }
            return JSON.readTree(parser);
        } catch (JacksonException e) {
            throw new InputProblem("line " + (e.getLocation() == null ? line : e.getLocation().getLineNr()) + ": not valid JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public long line() {
        return line;
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
