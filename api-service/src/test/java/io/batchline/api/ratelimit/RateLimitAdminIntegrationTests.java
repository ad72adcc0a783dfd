package io.batchline.api.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.api.RealServicesTest;
import io.batchline.model.operations.Operations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code /api/admin/rate-limits}: what the workers' limits are and where they come from, an
 * admin's override and its reset, every bad value named, admins only, every change audited.
 * The environment's limits are written the way a starting worker writes them.
 */
class RateLimitAdminIntegrationTests extends RealServicesTest {

    private static final String PATH = "/api/admin/rate-limits/";

    @BeforeEach
    void aWorkerReportedItsEnvironment() {
        jdbc.sql("CREATE SCHEMA IF NOT EXISTS worker").update();
        jdbc.sql("""
                CREATE TABLE IF NOT EXISTS worker.rate_limit_defaults (operation text PRIMARY KEY, items bigint NOT NULL,
                    period_ms bigint NOT NULL, burst bigint NOT NULL, reported_at timestamptz NOT NULL DEFAULT now(),
                    reported_by text NOT NULL)""").update();
        jdbc.sql("DELETE FROM worker.rate_limit_defaults").update();
        jdbc.sql("INSERT INTO worker.rate_limit_defaults (operation, items, period_ms, burst, reported_by) VALUES ('noop', 300, 1000, 300, 'w:1')")
                .update();
        jdbc.sql("DELETE FROM rate_limit_overrides").update();
        auditBefore = count("SELECT coalesce(max(id), 0) FROM audit_log");
    }

    /** The audit trail's last entry before this test: it counts only its own. */
    private long auditBefore;

    private Answer put(String operation, String body) {
        return as(ADMIN_KEY, "PUT", PATH + operation, "application/json", body, Map.of());
    }

    private Answer delete(String operation) {
        return as(ADMIN_KEY, "DELETE", PATH + operation, null, null, Map.of());
    }

    private int audited(String action, String operation) {
        return count("SELECT count(*) FROM audit_log WHERE action = ? AND target = ? AND id > ?", action, operation, auditBefore);
    }

    @Test
    void anOverrideWinsAndItsResetReturnsToTheEnvironment() {
        JsonNode before = get(PATH + "noop").body();
        assertThat(before.get("source").asString()).isEqualTo("env");
        assertThat(before.get("limit").get("items").asLong()).isEqualTo(300);
        assertThat(before.get("override").isNull()).isTrue();

        Answer changed = put("noop", "{\"items\":500,\"period\":\"3s\"}");
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.body().get("source").asString()).isEqualTo("override");
        JsonNode limit = changed.body().get("limit");
        assertThat(limit.get("items").asLong()).isEqualTo(500);
        assertThat(limit.get("period").asString()).isEqualTo("PT3S");
        assertThat(limit.get("burst").asLong()).as("burst defaults to items").isEqualTo(500);
        assertThat(limit.get("itemsPerSecond").asDouble()).isEqualTo(166.667);
        assertThat(changed.body().get("override").get("updatedBy").asString()).isEqualTo("admin");
        assertThat(changed.body().get("environment").get("items").asLong()).as("still shown").isEqualTo(300);
        assertThat(count("SELECT count(*) FROM rate_limit_overrides WHERE operation = 'noop' AND items = 500 AND period_ms = 3000"))
                .as("the row every worker reads").isEqualTo(1);

        Answer again = put("noop", "{\"items\":100,\"period\":\"PT0.5S\",\"burst\":20}");
        assertThat(again.body().get("limit").get("period").asString()).isEqualTo("PT0.5S");
        assertThat(again.body().get("limit").get("burst").asLong()).isEqualTo(20);
        assertThat(get(PATH + "noop").body().get("limit").get("itemsPerSecond").asDouble()).isEqualTo(200.0);

        Answer reset = delete("noop");
        assertThat(reset.status()).isEqualTo(200);
        assertThat(reset.body().get("source").asString()).isEqualTo("env");
        assertThat(reset.body().get("limit").get("items").asLong()).isEqualTo(300);
        assertThat(count("SELECT count(*) FROM rate_limit_overrides WHERE operation = 'noop'")).isZero();
        assertThat(delete("noop").status()).as("a reset is idempotent").isEqualTo(200);

        assertThat(audited("rate-limit.changed", "noop")).isEqualTo(2);
        assertThat(audited("rate-limit.reset", "noop")).isEqualTo(2);
        JsonNode entries = get("/api/admin/audit?tenant=admin&limit=10").body().get("data");
        JsonNode second = entries.valueStream().filter(e -> e.get("id").asLong() > auditBefore)
                .filter(e -> e.get("action").asString().equals("rate-limit.changed")).findFirst().orElseThrow();
        assertThat(second.get("details").get("items").asLong()).isEqualTo(100);
        assertThat(second.get("details").get("previous").get("items").asLong()).as("what it replaced").isEqualTo(500);
        JsonNode firstReset = entries.valueStream().filter(e -> e.get("id").asLong() > auditBefore)
                .filter(e -> e.get("action").asString().equals("rate-limit.reset")).reduce((newer, older) -> older).orElseThrow();
        assertThat(firstReset.get("details").get("removed").get("items").asLong()).isEqualTo(100);
    }

    @Test
    void anOperationWithoutEnvironmentLimitCanBeLimitedAndFreedAgain() {
        assertThat(get(PATH + "user.lookup").body().get("source").asString()).isEqualTo("none");
        assertThat(get(PATH + "user.lookup").body().get("limit").isNull()).isTrue();

        assertThat(put("user.lookup", "{\"items\":10,\"period\":\"1s\"}").body().get("source").asString()).isEqualTo("override");
        Answer freed = delete("user.lookup");
        assertThat(freed.body().get("source").asString()).isEqualTo("none");
        assertThat(freed.body().get("limit").isNull()).isTrue();
    }

    @Test
    void beforeAnyWorkerStartedThereIsNoEnvironmentLimitAndNothingFails() {
        jdbc.sql("DROP TABLE worker.rate_limit_defaults").update();
        Answer answer = get(PATH + "noop");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body().get("source").asString()).isEqualTo("none");
        assertThat(put("noop", "{\"items\":5,\"period\":\"1s\"}").status()).isEqualTo(200);
        assertThat(delete("noop").body().get("source").asString()).isEqualTo("none");
    }

    @Test
    void listsEveryOperationInKeysetPages() {
        put("content.update-price", "{\"items\":500,\"period\":\"3s\"}");
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = get("/api/admin/rate-limits?limit=3" + (cursor == null ? "" : "&cursor=" + cursor)).body();
            page.get("data").valueStream().forEach(all::add);
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
            pages++;
        } while (cursor != null && pages < 20);
        List<String> names = all.stream().map(view -> view.get("operation").asString()).toList();
        assertThat(names).containsExactlyElementsOf(Operations.names().stream().sorted().toList());
        Map<String, String> sources = new java.util.HashMap<>();
        all.forEach(view -> sources.put(view.get("operation").asString(), view.get("source").asString()));
        assertThat(sources).containsEntry("content.update-price", "override").containsEntry("noop", "env")
                .containsEntry("user.create", "none");

        JsonNode whole = get("/api/admin/rate-limits").body();
        assertThat(whole.get("data").size()).isEqualTo(names.size());
        assertThat(whole.get("nextCursor").isNull()).isTrue();
        assertThat(get("/api/admin/rate-limits?limit=0").body().get("type").asString()).endsWith("/invalid-parameter");
        assertThat(get("/api/admin/rate-limits?cursor=bm9wZQ").body().get("type").asString()).endsWith("/invalid-cursor");
    }

    @Test
    void everyBadValueIsRefusedNamingItsFieldAndChangesNothing() {
        Map<String, List<String>> cases = new java.util.LinkedHashMap<>();
        cases.put("{}", List.of("items", "period"));
        cases.put("{\"items\":0,\"period\":\"3s\"}", List.of("items"));
        cases.put("{\"items\":\"ten\",\"period\":\"3s\"}", List.of("items"));
        cases.put("{\"items\":1.5,\"period\":\"3s\"}", List.of("items"));
        cases.put("{\"items\":99999999999999999999999,\"period\":\"3s\"}", List.of("items"));
        cases.put("{\"items\":10,\"period\":\"soon\"}", List.of("period"));
        cases.put("{\"items\":10,\"period\":3}", List.of("period"));
        cases.put("{\"items\":10,\"period\":\"0s\"}", List.of("period"));
        cases.put("{\"items\":10,\"period\":\"-3s\"}", List.of("period"));
        cases.put("{\"items\":10,\"period\":\"2d\"}", List.of("period"));
        cases.put("{\"items\":10,\"period\":\"PT0.0005S\"}", List.of("period"));
        cases.put("{\"items\":10,\"period\":\"3s\",\"burst\":0}", List.of("burst"));
        cases.put("{\"items\":10,\"period\":\"3s\",\"burst\":\"lots\"}", List.of("burst"));
        cases.put("{\"items\":10,\"period\":\"3s\",\"rate\":5}", List.of("rate"));
        cases.put("{\"items\":100000000,\"period\":\"1ms\"}", List.of("items"));
        cases.put("[1,2]", List.of("(body)"));
        cases.put("\"500/3s\"", List.of("(body)"));
        cases.forEach((body, fields) -> {
            Answer answer = put("user.touch-login", body);
            assertThat(answer.status()).as(body).isEqualTo(400);
            assertThat(answer.contentType()).as(body).startsWith("application/problem+json");
            assertThat(answer.body().get("type").asString()).as(body).endsWith("/invalid-rate-limit");
            assertThat(answer.body().get("errors").valueStream().map(e -> e.get("field").asString()).toList())
                    .as(body).containsExactlyInAnyOrderElementsOf(fields);
        });
        Answer malformed = put("user.touch-login", "{\"items\":");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body().get("type").asString()).endsWith("/malformed-json");
        Answer notJson = as(ADMIN_KEY, "PUT", PATH + "user.touch-login", "text/plain", "500/3s", Map.of());
        assertThat(notJson.status()).isEqualTo(415);

        assertThat(count("SELECT count(*) FROM rate_limit_overrides WHERE operation = 'user.touch-login'")).isZero();
        assertThat(audited("rate-limit.changed", "user.touch-login")).isZero();
    }

    @Test
    void anUnknownOperationIsNotFoundAndNamed() {
        for (String method : List.of("GET", "PUT", "DELETE")) {
            Answer answer = as(ADMIN_KEY, method, PATH + "no.such-op", method.equals("PUT") ? "application/json" : null,
                    method.equals("PUT") ? "{\"items\":1,\"period\":\"1s\"}" : null, Map.of());
            assertThat(answer.status()).as(method).isEqualTo(404);
            assertThat(answer.contentType()).startsWith("application/problem+json");
            assertThat(answer.body().get("errors").get(0).get("field").asString()).isEqualTo("operation");
            assertThat(answer.body().get("operations").valueStream().map(JsonNode::asString)).contains("noop");
        }
        assertThat(count("SELECT count(*) FROM rate_limit_overrides WHERE operation = 'no.such-op'")).isZero();
    }

    @Test
    void onlyAnAdminReadsOrChangesRateLimits() {
        String submitter = createKey("rate-tenant", "submitter");
        List<String[]> calls = List.of(new String[] {"GET", "/api/admin/rate-limits"}, new String[] {"GET", PATH + "noop"},
                new String[] {"PUT", PATH + "noop"}, new String[] {"DELETE", PATH + "noop"});
        for (String[] call : calls) {
            String body = call[0].equals("PUT") ? "{\"items\":1,\"period\":\"1h\"}" : null;
            String type = body == null ? null : "application/json";
            Answer forbidden = as(submitter, call[0], call[1], type, body, Map.of());
            assertThat(forbidden.status()).as("submitter %s %s", call[0], call[1]).isEqualTo(403);
            assertThat(forbidden.body().get("type").asString()).endsWith("/forbidden");
            Answer anonymous = as(null, call[0], call[1], type, body, Map.of());
            assertThat(anonymous.status()).as("no key %s %s", call[0], call[1]).isEqualTo(401);
            assertThat(anonymous.contentType()).startsWith("application/problem+json");
        }
        assertThat(count("SELECT count(*) FROM rate_limit_overrides")).isZero();
        assertThat(get(PATH + "noop").body().get("source").asString()).isEqualTo("env");
    }
}
