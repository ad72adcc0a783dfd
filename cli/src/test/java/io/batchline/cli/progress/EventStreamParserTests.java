package io.batchline.cli.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventStreamParserTests {

    @Test
    void eventsIdsRetryAndHeartbeatsAsTheApiWritesThem() throws IOException {
        String stream = "retry: 3000\n\nid: 0.1170.1\nevent: progress\ndata: {\"a\":1,\ndata: \"b\":2}\n\n: heartbeat\n\n"
                + "id: 0.2000.3\nevent: end\ndata: {\"status\":\"completed\"}\n\n";
        EventStreamParser parser = new EventStreamParser(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)));
        assertThat(parser.next()).isEqualTo(new ServerSentEvent("0.1170.1", "progress", "{\"a\":1,\n\"b\":2}"));
        assertThat(parser.retryMillis()).isEqualTo(3000);
        assertThat(parser.next()).isEqualTo(new ServerSentEvent("0.2000.3", "end", "{\"status\":\"completed\"}"));
        assertThat(parser.next()).isNull();
        assertThat(parser.lastId()).isEqualTo("0.2000.3");
    }

    @Test
    void anEventCutOffBeforeItsBlankLineIsNotDispatched() throws IOException {
        EventStreamParser parser = new EventStreamParser(new ByteArrayInputStream("id: 7\nevent: progress\ndata: {\"a\"".getBytes(StandardCharsets.UTF_8)));
        assertThat(parser.next()).isNull();
    }
}
