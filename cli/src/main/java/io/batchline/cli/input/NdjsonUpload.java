package io.batchline.cli.input;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The NDJSON request body, produced while the file is read: the batch header on the first
 * line, then one item per line. Only the current line is held. If the file turns out to be
 * wrong halfway, the stream fails, so the upload is cut short and the API stores nothing;
 * {@link #failure()} says why.
 */
public final class NdjsonUpload extends InputStream {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ItemSource items;
    private final SourceLines lines = new SourceLines();
    private byte[] chunk;
    private int position;
    private boolean ended;
    private volatile InputProblem failure;

    public NdjsonUpload(ObjectNode header, ItemSource items) {
        this.items = items;
        this.chunk = (JSON.writeValueAsString(header) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        int written = 0;
        while (written < length) {
            if (position == chunk.length && !fill()) {
                break;
            }
            int n = Math.min(length - written, chunk.length - position);
            System.arraycopy(chunk, position, buffer, offset + written, n);
            position += n;
            written += n;
        }
        return written == 0 ? -1 : written;
    }

    private boolean fill() throws IOException {
        if (ended) {
            return false;
        }
        JsonNode item;
        try {
            item = items.next();
        } catch (InputProblem e) {
            failure = e;
            ended = true;
            throw new IOException(e.getMessage(), e);
        }
        if (item == null) {
            ended = true;
            return false;
        }
        lines.add(items.line());
        chunk = (JSON.writeValueAsString(item) + "\n").getBytes(StandardCharsets.UTF_8);
        position = 0;
        return true;
    }

    /** Why the file could not be sent to the end, or null. */
    public InputProblem failure() {
        return failure;
    }

    public SourceLines lines() {
        return lines;
    }

    @Override
    public void close() throws IOException {
        items.close();
    }
}
