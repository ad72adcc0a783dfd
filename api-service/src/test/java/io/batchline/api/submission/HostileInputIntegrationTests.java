package io.batchline.api.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.Topology;
import io.batchline.model.operations.Operations;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Thousands of malformed and hostile submissions, generated from a fixed seed (override with
 * {@code -Dfuzz.seed=}, more cases with {@code -Dfuzz.cases=}): wrong types, deep nesting,
 * huge strings, NUL bytes and unpaired surrogates, invalid UTF-8, truncation, huge numbers,
 * SQL and script payloads. Never a 5xx; every rejection is problem+json and leaves the
 * database unchanged; every accepted item is stored exactly as it was sent; the broker gets
 * exactly one message per accepted item.
 */
class HostileInputIntegrationTests extends RealServicesTest {

    private static final long SEED = Long.getLong("fuzz.seed", 20_261_124L);
    private static final int CASES = Integer.getInteger("fuzz.cases", 1500);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] NASTY = {
            "'; DROP TABLE batches; --", "\" OR 1=1 --", "<script>alert(1)</script>", "${jndi:ldap://x/a}",
            "\u0000", "a\u0000b", "\ud800", "\udc00x", "\u202Egnp.exe", "\u200B\u200D\uFEFF", "\uD83D\uDE00",
            "../../etc/passwd", "%00", "\\", "\\u0000", "null", "", " ", "\t\n\r", "Ω≈ç√∫", "𝕏".repeat(50)};

    private record Case(String contentType, byte[] body, List<JsonNode> validItems) {
    }

    @Test
    void hostileSubmissionsNeverCauseAServerErrorAndRejectionsChangeNothing() {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> count("SELECT count(*) FROM batches WHERE dispatched < total AND status IN ('pending', 'processing')") == 0);
        long queuedBefore = queued();
        long acceptedItems = 0;
        Random random = new Random(SEED);
        for (int i = 0; i < CASES; i++) {
            Case c = next(random);
            int batchesBefore = count("SELECT count(*) FROM batches");
            int itemsBefore = count("SELECT count(*) FROM batch_items");
            Answer answer = postBytes("/api/batches", c.contentType(), c.body());
            String label = "case " + i + " (seed " + SEED + "): " + preview(c.body());
            assertThat(answer.status()).as(label).isLessThan(500);
            if (answer.status() >= 400) {
                assertThat(answer.contentType()).as(label).startsWith("application/problem+json");
                assertThat(count("SELECT count(*) FROM batches")).as(label).isEqualTo(batchesBefore);
                assertThat(count("SELECT count(*) FROM batch_items")).as(label).isEqualTo(itemsBefore);
            } else {
                assertThat(answer.status()).as(label).isEqualTo(202);
                UUID batch = id(answer);
                acceptedItems += answer.body().get("totalItems").asInt();
                if (!c.validItems().isEmpty()) {
                    List<JsonNode> stored = jdbc.sql("SELECT payload::text FROM batch_items WHERE batch_id = ? ORDER BY seq")
                            .param(batch).query(String.class).list().stream().map(DECIMALS::readTree).toList();
                    assertThat(stored).as(label).hasSameSizeAs(c.validItems());
                    for (int k = 0; k < stored.size(); k++) {
                        assertSameJson(stored.get(k), c.validItems().get(k), label);
                    }
                }
            }
        }
        long expected = queuedBefore + acceptedItems;
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(queued()).isEqualTo(expected));
    }

    private static final tools.jackson.databind.json.JsonMapper DECIMALS = tools.jackson.databind.json.JsonMapper.builder()
            .enable(tools.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    /** Same JSON: texts equal, numbers equal as decimals (a number sent as text in {@code expected} is compared by value). */
    private static void assertSameJson(JsonNode stored, JsonNode expected, String label) {
        if (expected.isObject()) {
            assertThat(stored.isObject()).as(label).isTrue();
            assertThat(stored.propertyNames()).as(label).containsExactlyInAnyOrderElementsOf(expected.propertyNames());
            for (String name : expected.propertyNames()) {
                assertSameJson(stored.get(name), expected.get(name), label);
            }
        } else if (stored.isNumber() && expected.isString()) {
            assertThat(stored.decimalValue()).as(label).isEqualByComparingTo(new java.math.BigDecimal(expected.asString()));
        } else {
            assertThat(stored).as(label).isEqualTo(expected);
        }
    }

    private long queued() {
        return Operations.names().stream().mapToLong(op -> messagesIn(Topology.itemQueue(op))).sum();
    }

    private Case next(Random random) {
        return switch (random.nextInt(11)) {
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
        ObjectNode body = envelope(random, "noop", items);
        boolean storable = !text.contains("\u0000") && !hasUnpairedSurrogate(text);
        return new Case("application/json", bytes(body), storable ? items : List.of());
    }

    private static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(++i)))) {
                return true;
            }
            if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private ObjectNode envelope(Random random, Object operation, List<JsonNode> items) {
        ObjectNode body = NODES.objectNode();
        if (operation instanceof String s) {
            body.put("operation", s);
        } else if (operation instanceof JsonNode n) {
            body.set("operation", n);
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

    /** Accepted only if stored exactly (compared as decimals); else refused. */
    private Case hugeNumberCase(Random random) {
        String number = hugeNumber(random);
        Case c = raw("application/json", "{\"operation\":\"noop\",\"items\":[{\"n\":" + number + "}]}");
        return new Case(c.contentType(), c.body(), List.of(NODES.objectNode().put("n", number)));
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
        return new Case("application/json", body, List.of());
    }

    private Case truncated(Random random) {
        byte[] valid = bytes(envelope(random, "noop", List.of(NODES.objectNode().put("key", "abcdef"), NODES.objectNode())));
        byte[] body = new byte[random.nextInt(valid.length)];
        System.arraycopy(valid, 0, body, 0, body.length);
        return new Case(random.nextBoolean() ? "application/json" : "application/x-ndjson", body, List.of());
    }

    private Case ndjson(Random random) {
        StringBuilder body = new StringBuilder(random.nextBoolean() ? "{\"operation\":\"noop\"}\n" : json.writeValueAsString(randomValue(random, 2)) + "\n");
        for (int i = 0; i < random.nextInt(5); i++) {
            body.append(random.nextInt(4) == 0 ? NASTY[random.nextInt(NASTY.length)] : json.writeValueAsString(randomValue(random, 2))).append('\n');
        }
        return raw("application/x-ndjson", body.toString());
    }

    private Case json(JsonNode body) {
        return new Case("application/json", bytes(body), List.of());
    }

    private static Case raw(String contentType, String body) {
        return new Case(contentType, body.getBytes(StandardCharsets.UTF_8), List.of());
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
