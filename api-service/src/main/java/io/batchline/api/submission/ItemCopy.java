package io.batchline.api.submission;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Streams item rows into {@code batch_items} with one {@code COPY ... FROM STDIN}: rows are
 * encoded into a buffer and shipped in 256 KiB pieces, so a batch costs one statement
 * whatever its size and no more than one buffer of it is held in memory.
 */
final class ItemCopy implements AutoCloseable {

    static final String COPY_ITEMS = "COPY batch_items (batch_id, seq, item_key, payload) FROM STDIN";
    private static final int FLUSH_AT = 256 * 1024;

    private final CopyIn copy;
    private final byte[] batchIdField;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(FLUSH_AT + 64 * 1024);
    private long rows;
    private boolean open = true;

    private ItemCopy(CopyIn copy, UUID batchId) {
        this.copy = copy;
        this.batchIdField = (batchId + "\t").getBytes(StandardCharsets.US_ASCII);
    }

    static ItemCopy open(Connection connection, UUID batchId) throws SQLException {
        return new ItemCopy(connection.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_ITEMS), batchId);
    }

    void write(int seq, @Nullable String key, byte[] json) throws SQLException {
        buffer.writeBytes(batchIdField);
        buffer.writeBytes(Integer.toString(seq).getBytes(StandardCharsets.US_ASCII));
        buffer.write('\t');
        if (key == null) {
            buffer.write('\\');
            buffer.write('N');
        } else {
            escape(key.getBytes(StandardCharsets.UTF_8));
        }
        buffer.write('\t');
        escape(json);
        buffer.write('\n');
        rows++;
        if (buffer.size() >= FLUSH_AT) {
            flush();
        }
    }

    long finish() throws SQLException {
        flush();
        open = false;
        copy.endCopy();
        return rows;
    }

    @Override
    public void close() throws SQLException {
        if (open && copy.isActive()) {
            open = false;
            copy.cancelCopy();
        }
    }

    private void flush() throws SQLException {
        if (buffer.size() > 0) {
            copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
            buffer.reset();
        }
    }

    /** COPY's text format gives backslash, tab, newline and carriage return a meaning. */
    private void escape(byte[] bytes) {
        for (byte b : bytes) {
            switch (b) {
                case '\\' -> { buffer.write('\\'); buffer.write('\\'); }
                case '\t' -> { buffer.write('\\'); buffer.write('t'); }
                case '\n' -> { buffer.write('\\'); buffer.write('n'); }
                case '\r' -> { buffer.write('\\'); buffer.write('r'); }
                default -> buffer.write(b);
            }
        }
    }
}
