package io.batchline.api.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /api/batches/{id}/items} as NDJSON and CSV. The item rows are written with SQL
 * (these tests run no worker), so every status, the activity columns and hostile text are
 * exactly what the export must show.
 */
class ItemExportIntegrationTests extends RealServicesTest {

    private final HttpClient client = HttpClient.newHttpClient();

    /** A raw answer: status, headers and the body as text (NDJSON and CSV are not one JSON value). */
    record Raw(int status, String contentType, String body, HttpResponse<String> response) {
        String header(String name) {
            return response.headers().firstValue(name).orElse("");
        }
    }

    private Raw fetch(String key, String path, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key);
        if (accept != null) {
            request.header("Accept", accept);
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Raw(response.statusCode(), response.headers().firstValue("content-type").orElse(""), response.body(), response);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Six items, one per status (two succeeded), with a pending one a worker announced and
     * saw crash, and text that needs CSV quoting or would run as a spreadsheet formula.
     */
    private UUID everyStatusBatch(String creator) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO batches (id, creator, operation, status, total, succeeded, failed, cancelled, timed_out,
                                     dispatched, published_below, started_at)
                VALUES (?, ?, 'noop', 'processing', 6, 2, 1, 1, 1, 6, 6, now())
                """).param(id).param(creator).update();
        jdbc.sql("""
                INSERT INTO batch_items (batch_id, seq, item_key, payload, status, attempts, result, error_code, error_message,
                                         finished_at, started_at, worker, running_attempt, crashes, retry_code, retry_message)
                VALUES (:id, 0, 'plain', '{}', 'succeeded', 1, '{"id": 7, "name": "Ann, \\"the\\" first"}', NULL, NULL,
                        '2026-11-25T10:00:00.123456Z', NULL, NULL, NULL, 0, NULL, NULL),
                       (:id, 1, '=HYPERLINK("http://evil")', '{}', 'failed', 3, NULL, 'x.failed', E'line one\\nline two, "quoted"',
                        '2026-11-25T10:00:01Z', NULL, NULL, NULL, 0, NULL, NULL),
                       (:id, 2, NULL, '{}', 'pending', 1, NULL, NULL, NULL,
                        NULL, '2026-11-25T10:00:02Z', 'worker-a/42', 2, 1, 'crashed', 'delivered again'),
                       (:id, 3, '+1', '{}', 'cancelled', 0, NULL, 'batch.stopped', '@everyone stopped',
                        '2026-11-25T10:00:03Z', NULL, NULL, NULL, 0, NULL, NULL),
                       (:id, 4, '-2', '{}', 'timed_out', 0, '-5', 'batch.timed_out', 'over time',
                        '2026-11-25T10:00:04Z', NULL, NULL, NULL, 0, NULL, NULL),
                       (:id, 5, 'ünï', '{}', 'succeeded', 2, '"text"', NULL, NULL,
                        '2026-11-25T10:00:05Z', NULL, NULL, NULL, 0, NULL, NULL)
                """).param("id", id).update();
        return id;
    }

    static final String EXPECTED_NDJSON = """
            {"seq":0,"key":"plain","status":"succeeded","attempts":1,"result":{"id":7,"name":"Ann, \\"the\\" first"},"error":null,"finishedAt":"2026-11-25T10:00:00.123456Z"}
            {"seq":1,"key":"=HYPERLINK(\\"http://evil\\")","status":"failed","attempts":3,"result":null,"error":{"code":"x.failed","message":"line one\\nline two, \\"quoted\\""},"finishedAt":"2026-11-25T10:00:01Z"}
            {"seq":2,"key":null,"status":"pending","attempts":1,"result":null,"error":null,"finishedAt":null,"activity":{"inFlight":true,"startedAt":"2026-11-25T10:00:02Z","worker":"worker-a/42","attempt":2,"crashes":1,"lastRetry":{"code":"crashed","message":"delivered again"}}}
            {"seq":3,"key":"+1","status":"cancelled","attempts":0,"result":null,"error":{"code":"batch.stopped","message":"@everyone stopped"},"finishedAt":"2026-11-25T10:00:03Z"}
            {"seq":4,"key":"-2","status":"timed_out","attempts":0,"result":-5,"error":{"code":"batch.timed_out","message":"over time"},"finishedAt":"2026-11-25T10:00:04Z"}
            {"seq":5,"key":"ünï","status":"succeeded","attempts":2,"result":"text","error":null,"finishedAt":"2026-11-25T10:00:05Z"}
            """;

    static final String EXPECTED_CSV = String.join("\r\n",
            "seq,key,status,attempts,error_code,error_message,finished_at,result",
            "0,plain,succeeded,1,,,2026-11-25T10:00:00.123456Z,\"{\"\"id\"\":7,\"\"name\"\":\"\"Ann, \\\"\"the\\\"\" first\"\"}\"",
            "1,\"'=HYPERLINK(\"\"http://evil\"\")\",failed,3,x.failed,\"line one\nline two, \"\"quoted\"\"\",2026-11-25T10:00:01Z,",
            "2,,pending,1,,,,",
            "3,'+1,cancelled,0,batch.stopped,'@everyone stopped,2026-11-25T10:00:03Z,",
            "4,'-2,timed_out,0,batch.timed_out,over time,2026-11-25T10:00:04Z,'-5",
            "5,ünï,succeeded,2,,,2026-11-25T10:00:05Z,\"\"\"text\"\"\"",
            "");

    @Test
    void exportsEveryItemAsNdjsonLineByLineAsTheJsonPageShowsIt() {
        UUID id = everyStatusBatch("export-" + UUID.randomUUID());

        Raw byAccept = fetch(ADMIN_KEY, "/api/batches/" + id + "/items", "application/x-ndjson");
        assertThat(byAccept.status()).as(byAccept.body()).isEqualTo(200);
        assertThat(byAccept.contentType()).isEqualTo("application/x-ndjson");
        assertThat(byAccept.header("content-disposition")).isEqualTo("attachment; filename=\"batch-" + id + "-items.ndjson\"");
        assertThat(byAccept.body()).isEqualTo(EXPECTED_NDJSON);

        // each line is the JSON page's item, field for field
        JsonNode page = get("/api/batches/" + id + "/items").body().get("data");
        String[] lines = byAccept.body().split("\n");
        assertThat(lines).hasSize(page.size());
        for (int i = 0; i < lines.length; i++) {
            assertThat(json.readTree(lines[i])).as("line %d", i).isEqualTo(page.get(i));
        }

        assertThat(fetch(ADMIN_KEY, "/api/batches/" + id + "/items?format=ndjson", null).body()).isEqualTo(EXPECTED_NDJSON);
        assertThat(fetch(ADMIN_KEY, "/api/batches/" + id + "/items?format=NDJSON", "text/csv").body()).isEqualTo(EXPECTED_NDJSON);
    }

    @Test
    void exportsEveryItemAsCsvQuotedByRfc4180WithFormulasDefused() {
        UUID id = everyStatusBatch("export-" + UUID.randomUUID());

        Raw byAccept = fetch(ADMIN_KEY, "/api/batches/" + id + "/items", "text/csv");
        assertThat(byAccept.status()).as(byAccept.body()).isEqualTo(200);
        assertThat(byAccept.contentType()).isEqualTo("text/csv;charset=utf-8");
        assertThat(byAccept.header("content-disposition")).isEqualTo("attachment; filename=\"batch-" + id + "-items.csv\"");
        assertThat(byAccept.body()).isEqualTo(EXPECTED_CSV);
        assertThat(fetch(ADMIN_KEY, "/api/batches/" + id + "/items?format=csv", "application/json").body()).isEqualTo(EXPECTED_CSV);
    }

    @Test
    void filtersByStatusAndRefusesAnUnknownOneAsTheJsonPageDoes() {
        UUID id = everyStatusBatch("export-" + UUID.randomUUID());
        String path = "/api/batches/" + id + "/items";

        assertThat(fetch(ADMIN_KEY, path + "?status=failed&format=csv", null).body()).isEqualTo(String.join("\r\n",
                "seq,key,status,attempts,error_code,error_message,finished_at,result",
                "1,\"'=HYPERLINK(\"\"http://evil\"\")\",failed,3,x.failed,\"line one\nline two, \"\"quoted\"\"\",2026-11-25T10:00:01Z,", ""));
        assertThat(fetch(ADMIN_KEY, path + "?status=succeeded", "application/x-ndjson").body().lines().map(l -> json.readTree(l).get("seq").asInt()))
                .containsExactly(0, 5);
        // nothing in that status: an empty NDJSON body, a CSV of the header alone
        assertThat(fetch(ADMIN_KEY, path + "?status=timed_out&format=ndjson", null).body().lines()).hasSize(1);
        Raw none = fetch(ADMIN_KEY, "/api/batches/" + submitLookups(1, "{}") + "/items?status=failed&format=ndjson", null);
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.body()).isEmpty();
        assertThat(fetch(ADMIN_KEY, "/api/batches/" + submitLookups(1, "{}") + "/items?status=failed&format=csv", null).body())
                .isEqualTo(CsvRows.HEADER);

        Raw bad = fetch(ADMIN_KEY, path + "?status=bogus&format=csv", null);
        Raw badJson = fetch(ADMIN_KEY, path + "?status=bogus", null);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.contentType()).startsWith("application/problem+json");
        assertThat(json.readTree(bad.body()).get("detail")).isEqualTo(json.readTree(badJson.body()).get("detail"));
    }

    @Test
    void negotiatesTheFormatAndRefusesAnUnknownOneNamingIt() {
        UUID id = everyStatusBatch("export-" + UUID.randomUUID());
        String path = "/api/batches/" + id + "/items";

        for (String accept : new String[] {null, "application/json", "*/*", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "application/json, text/csv;q=0.5", "application/json, application/x-ndjson", "application/x-ndjson;q=0, */*"}) {
            Raw answer = fetch(ADMIN_KEY, path, accept);
            assertThat(answer.status()).as(accept).isEqualTo(200);
            assertThat(answer.contentType()).as(accept).startsWith("application/json");
            assertThat(json.readTree(answer.body()).get("data").size()).as(accept).isEqualTo(6);
        }
        assertThat(fetch(ADMIN_KEY, path, "text/csv, */*;q=0.1").body()).isEqualTo(EXPECTED_CSV);
        assertThat(fetch(ADMIN_KEY, path, "application/json;q=0.4, application/x-ndjson").body()).isEqualTo(EXPECTED_NDJSON);
        assertThat(fetch(ADMIN_KEY, path + "?format=json&limit=2", "text/csv").body()).contains("\"nextCursor\":\"");

        for (String query : new String[] {"?format=xml", "?format=", "?format=csv&format=ndjson"}) {
            Raw refused = fetch(ADMIN_KEY, path + query, null);
            assertThat(refused.status()).as(query).isEqualTo(400);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(json.readTree(refused.body()).get("detail").asString()).as(query).contains("format");
        }
        Raw paged = fetch(ADMIN_KEY, path + "?limit=2", "text/csv");
        assertThat(paged.status()).isEqualTo(400);
        assertThat(json.readTree(paged.body()).get("detail").asString()).contains("limit and cursor");
    }

    @Test
    void anotherTenantsBatchIsNotFoundInEveryFormat() {
        String tenant = "export-owner-" + UUID.randomUUID();
        UUID id = everyStatusBatch(tenant);
        String owner = createKey(tenant, "submitter");
        String stranger = createKey("export-stranger-" + UUID.randomUUID(), "submitter");

        assertThat(fetch(owner, "/api/batches/" + id + "/items", "text/csv").body()).isEqualTo(EXPECTED_CSV);
        for (String accept : new String[] {"text/csv", "application/x-ndjson", "application/json"}) {
            Raw hidden = fetch(stranger, "/api/batches/" + id + "/items", accept);
            Raw missing = fetch(stranger, "/api/batches/" + UUID.randomUUID() + "/items", accept);
            assertThat(hidden.status()).as(accept).isEqualTo(404);
            assertThat(hidden.contentType()).startsWith("application/problem+json");
            assertThat(missing.status()).isEqualTo(404);
            assertThat(hidden.body()).doesNotContain("plain", "HYPERLINK");
        }
    }

    /**
     * Two clients that stop reading hold both export slots (the default cap) and a
     * connection each; a third export is refused with 429 and Retry-After. When they hang
     * up, the cursors close, the connections go back to the pool and the slots are free:
     * the next export streams every row.
     */
    @Test
    void capsConcurrentExportsAndFreesCursorAndConnectionWhenTheClientHangsUp() throws IOException {
        int rows = 20_000;
        // 2 KB of result per row: 40 MB, far more than the sockets buffer, so the server blocks writing
        UUID id = bigBatch(rows);
        String path = "/api/batches/" + id + "/items";

        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                stalled.add(startAndStopReading(path));
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(exportSessions()).isEqualTo(2));

            Raw refused = fetch(ADMIN_KEY, path, "application/x-ndjson");
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.header("retry-after")).isEqualTo("5");
            assertThat(json.readTree(refused.body()).get("type").asString()).endsWith("/too-many-exports");
            // the JSON page is no export and still answers
            assertThat(fetch(ADMIN_KEY, path + "?limit=1", null).status()).isEqualTo(200);
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(exportSessions()).isZero());

        Raw whole = fetch(ADMIN_KEY, path + "?format=csv", null);
        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.body().split("\r\n")).hasSize(rows + 1);
        assertThat(whole.body()).endsWith("\r\n").contains("\r\n19999,k19999,succeeded,1,,,");
        assertThat(exportSessions()).isZero();
    }

    /**
     * The database session dies mid-export (terminated here): the answer has started, so no
     * problem can follow; the connection is closed without HTTP's last chunk, and the client
     * sees a truncated transfer instead of a short file that looks complete.
     */
    @Test
    void aDatabaseFailureMidStreamTruncatesTheTransfer() throws IOException {
        UUID id = bigBatch(20_000);
        try (Socket socket = startAndStopReading("/api/batches/" + id + "/items")) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(exportSessions()).isEqualTo(1));
            assertThat(count("""
                    SELECT count(*)::int FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                     WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
                       AND query LIKE '%/* batch item export */%') t
                    """)).isEqualTo(1);
            byte[] rest = socket.getInputStream().readAllBytes();
            String tail = new String(rest, Math.max(0, rest.length - 64), Math.min(64, rest.length), StandardCharsets.ISO_8859_1);
            assertThat(tail).doesNotEndWith("\r\n0\r\n\r\n").doesNotContain("problem");
            assertThat(rest.length).isLessThan(20_000 * 2_000);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(exportSessions()).isZero());
        assertThat(fetch(ADMIN_KEY, "/api/batches/" + id + "/items?format=ndjson&status=failed", null).status()).isEqualTo(200);
    }

    /** A completed batch of {@code rows} items with 2 KB of result each. */
    private UUID bigBatch(int rows) {
        UUID id = UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO batches (id, creator, operation, status, total, succeeded, dispatched, published_below,
                                     started_at, completed_at)
                VALUES (?, 'export-big', 'noop', 'completed', ?, ?, ?, ?, now(), now())
                """).param(id).param(rows).param(rows).param(rows).param(rows).update();
        jdbc.sql("""
                INSERT INTO batch_items (batch_id, seq, item_key, payload, status, attempts, result, finished_at)
                SELECT ?, g, 'k' || g, '{}', 'succeeded', 1, jsonb_build_object('pad', repeat('x', 2000)), now()
                  FROM generate_series(0, ? - 1) g
                """).param(id).param(rows).update();
        return id;
    }

    /** Database sessions running or holding an export's cursor open (its transaction not ended). */
    private int exportSessions() {
        return count("""
                SELECT count(*)::int FROM pg_stat_activity
                 WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
                   AND query LIKE '%/* batch item export */%'
                """);
    }

    /** Asks for an NDJSON export, reads the answer's head and a little of the body, then reads no more. */
    private Socket startAndStopReading(String path) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.setSoLinger(true, 0); // closing sends a reset, as a client that dies would
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN_KEY
                + "\r\nAccept: application/x-ndjson\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] head = in.readNBytes(4096);
        assertThat(new String(head, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200").contains("{\"seq\":0,");
        return socket;
    }
}
