package io.batchline.cli.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

class InputFormatTests {

    @Test
    void theExtensionDecidesElseTheFirstCharacter() {
        assertThat(InputFormat.detect("items.csv", '{')).isEqualTo(InputFormat.CSV);
        assertThat(InputFormat.detect("items.ndjson", '[')).isEqualTo(InputFormat.NDJSON);
        assertThat(InputFormat.detect("items.jsonl", '{')).isEqualTo(InputFormat.NDJSON);
        assertThat(InputFormat.detect("items.json", '[')).isEqualTo(InputFormat.JSON);
        assertThat(InputFormat.detect("items.json", '{')).isEqualTo(InputFormat.NDJSON);
        assertThat(InputFormat.detect("", 'k')).isEqualTo(InputFormat.CSV);
        assertThat(InputFormat.detect("", -1)).isEqualTo(InputFormat.CSV);
    }

    @Test
    void theUploadIsTheHeaderLineThenOneItemPerLineWithEachItemsSourceLine() throws IOException {
        ObjectNode header = JsonNodeFactory.instance.objectNode().put("operation", "noop");
        NdjsonUpload upload = new NdjsonUpload(header, ItemSource.open(InputFormat.JSON,
                new StringReader("[\n {\"a\": 1},\n\n {\"a\": 2}\n]"), Map.of()));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        upload.transferTo(body);
        assertThat(body.toString(StandardCharsets.UTF_8)).isEqualTo("{\"operation\":\"noop\"}\n{\"a\":1}\n{\"a\":2}\n");
        assertThat(upload.lines().items()).isEqualTo(2);
        assertThat(upload.lines().lineOf(0)).isEqualTo(2);
        assertThat(upload.lines().lineOf(1)).isEqualTo(4);
        assertThat(upload.lines().lineOf(2)).isEqualTo(-1);
    }

    @Test
    void aBadLineHalfwayFailsTheUploadStreamAndSaysWhere() {
        NdjsonUpload upload = new NdjsonUpload(JsonNodeFactory.instance.objectNode(), ItemSource.open(InputFormat.NDJSON,
                new StringReader("{\"a\":1}\n\n{\"a\":\n"), Map.of()));
        assertThatThrownBy(() -> upload.transferTo(new ByteArrayOutputStream())).isInstanceOf(IOException.class);
        assertThat(upload.failure()).hasMessageStartingWith("line 3: not valid JSON");
    }

    @Test
    void ndjsonAndJsonItemsMustBeObjects() {
        ItemSource ndjson = ItemSource.open(InputFormat.NDJSON, new StringReader("[1]\n"), Map.of());
        assertThatThrownBy(ndjson::next).hasMessage("line 1: each line must be a JSON object, not array");
        ItemSource json = ItemSource.open(InputFormat.JSON, new StringReader("[{\"a\":1}, 2]"), Map.of());
        assertThat(json.next()).isNotNull();
        assertThatThrownBy(json::next).hasMessage("line 1: each array element must be a JSON object");
        assertThatThrownBy(() -> ItemSource.open(InputFormat.JSON, new StringReader("{\"a\":1}"), Map.of()))
                .hasMessageContaining("must be an array");
        assertThatThrownBy(() -> ItemSource.open(InputFormat.NDJSON, new StringReader(""), Map.of("a", ColumnType.STRING)))
                .hasMessageContaining("CSV input only");
    }
}
