package io.batchline.api.query;

import io.batchline.api.problem.BatchRejected;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.jdbc.support.SQLStateSQLExceptionTranslator;
import org.springframework.stereotype.Component;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Streams every item of a batch (or those in one status), in seq order, as NDJSON or CSV,
 * straight from a server-side cursor to the response: PostgreSQL only keeps a cursor open
 * for a fetch size inside a transaction, so the export runs in a read-only transaction with
 * autocommit off and holds at most {@code fetchSize} rows at once, whatever the batch's size.
 * Rows go out as they arrive (Tomcat sends its buffer whenever it fills; a flush at least
 * every {@value #FLUSH_EVERY_MS} ms keeps a slow cursor visible to the client). A client
 * that goes away makes the next write fail, which closes the cursor and gives the
 * connection back to the pool; exports are capped per instance since each holds a
 * connection for as long as its client reads.
 */
@Component
class ItemExport {

    /** The two export formats, with the media type each answers with. */
    enum Format {
        NDJSON("application/x-ndjson", "ndjson"),
        CSV("text/csv;charset=utf-8", "csv");

        final String contentType;
        final String extension;

        Format(String contentType, String extension) {
            this.contentType = contentType;
            this.extension = extension;
        }
    }

    /** The comment names the query in {@code pg_stat_activity}, for operators and for the tests. */
    static final String ALL_ITEMS = "SELECT /* batch item export */ " + BatchReader.ITEM_COLUMNS + """
              FROM batch_items
             WHERE batch_id = ?
             ORDER BY seq
            """;
    /** A statement of its own, so the plan uses the (batch_id, status, seq) index. */
    static final String ITEMS_IN_STATUS = "SELECT /* batch item export */ " + BatchReader.ITEM_COLUMNS + """
              FROM batch_items
             WHERE batch_id = ? AND status = ?
             ORDER BY seq
            """;

    static final long FLUSH_EVERY_MS = 250;
    private static final long FLUSH_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(FLUSH_EVERY_MS);
    private static final Logger log = LoggerFactory.getLogger(ItemExport.class);

    private final DataSource dataSource;
    private final BatchReader reader;
    private final JsonMapper json;
    private final ObjectWriter lines;
    private final ExportSettings settings;
    private final Semaphore slots;
    private final Counter rowsExported;

    ItemExport(DataSource dataSource, BatchReader reader, JsonMapper json, ExportSettings settings, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.reader = reader;
        this.json = json;
        // one JSON value per line; the generator is flushed on our schedule, not after every row
        this.lines = json.writer().withRootValueSeparator("\n").without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
        this.settings = settings;
        this.slots = new Semaphore(settings.maxConcurrent());
        this.rowsExported = Counter.builder("batchline.export.rows").description("items written by exports").register(meters);
        Gauge.builder("batchline.export.active", slots, s -> settings.maxConcurrent() - s.availablePermits())
                .description("exports running on this instance").register(meters);
    }

    /**
     * Writes the export to {@code response}. Refused with 429 before anything is written when
     * this instance already runs {@code maxConcurrent} exports. A failure after the first
     * bytes went out cannot become a problem any more: it is rethrown, and the container
     * cuts the connection, so the client sees a truncated answer rather than a short one.
     */
    void export(UUID batchId, @Nullable String status, Format format, HttpServletResponse response) throws IOException {
        if (!slots.tryAcquire()) {
            long retryAfter = Math.max(1, settings.retryAfter().toSeconds());
            throw new BatchRejected(HttpStatus.TOO_MANY_REQUESTS, "too-many-exports", "Too many exports",
                    "this instance already runs " + settings.maxConcurrent() + " exports; try again in " + retryAfter + " s",
                    Map.of("retryAfterSeconds", retryAfter));
        }
        long started = System.nanoTime();
        ClientStream client = null;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            try (Statement set = connection.createStatement()) {
                set.execute("SET LOCAL statement_timeout = " + settings.statementTimeout().toMillis());
            }
            try (PreparedStatement query = connection.prepareStatement(status == null ? ALL_ITEMS : ITEMS_IN_STATUS,
                    ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                query.setFetchSize(settings.fetchSize());
                query.setObject(1, batchId);
                if (status != null) {
                    query.setString(2, status);
                }
                try (ResultSet items = query.executeQuery()) {
                    response.setStatus(HttpServletResponse.SC_OK);
                    response.setContentType(format.contentType);
                    response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
                            "attachment; filename=\"batch-" + batchId + "-items." + format.extension + "\"");
                    response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
                    client = new ClientStream(response.getOutputStream());
                    if (format == Format.NDJSON) {
                        ndjson(items, client);
                    } else {
                        csv(items, client);
                    }
                }
            }
            // nothing to commit: closing rolls the read-only transaction back (Hikari does when autocommit is off)
        } catch (SQLException e) {
            if (!clientWentAway(client, batchId, e)) {
                DataAccessException translated = new SQLStateSQLExceptionTranslator().translate("item export", null, e);
                throw translated != null ? translated : new UncategorizedSQLException("item export", null, e);
            }
        } catch (IOException | RuntimeException e) {
            if (!clientWentAway(client, batchId, e)) {
                throw e;
            }
        } finally {
            slots.release();
            rowsExported.increment(client == null ? 0 : client.rows);
        }
        if (client != null && !client.failed) {
            log.info("Exported {} items of batch {} as {} in {} ms", client.rows, batchId, format.extension,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
    }

    /** A failure caused by the client going away is the end of the export, not an error. */
    private static boolean clientWentAway(@Nullable ClientStream client, UUID batchId, Exception e) {
        if (client == null || !client.failed) {
            return false;
        }
        log.info("Export of batch {} stopped after {} items: the client went away ({})", batchId, client.rows, e.toString());
        return true;
    }

    private void ndjson(ResultSet items, ClientStream client) throws SQLException {
        long flushed = System.nanoTime();
        try (JsonGenerator out = lines.createGenerator(client)) {
            while (items.next()) {
                lines.writeValue(out, reader.item(items));
                if (++client.rows == 1 || System.nanoTime() - flushed > FLUSH_EVERY_NANOS) {
                    out.flush();
                    flushed = System.nanoTime();
                }
            }
            if (client.rows > 0) {
                out.writeRaw('\n');
            }
        }
    }

    private void csv(ResultSet items, ClientStream client) throws SQLException, IOException {
        long flushed = System.nanoTime();
        try (BufferedWriter out = new BufferedWriter(new OutputStreamWriter(client, StandardCharsets.UTF_8), 32 * 1024)) {
            CsvRows csv = new CsvRows(out, json);
            csv.header();
            out.flush();
            while (items.next()) {
                csv.row(reader.item(items));
                if (++client.rows == 1 || System.nanoTime() - flushed > FLUSH_EVERY_NANOS) {
                    out.flush();
                    flushed = System.nanoTime();
                }
            }
        }
    }

    /** The response's stream, noting whether a write to the client failed (so that failure is told from the database's). */
    private static final class ClientStream extends FilterOutputStream {

        volatile boolean failed;
        long rows;

        ClientStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            try {
                out.write(bytes, offset, length);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                failed = true;
                throw e;
            }
        }

        /**
         * Only flushes: closing the response's stream would end the answer properly (with
         * HTTP's last chunk) even when the export failed half-way; the container ends it
         * once the handler returns, or cuts the connection if the handler failed.
         */
        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
