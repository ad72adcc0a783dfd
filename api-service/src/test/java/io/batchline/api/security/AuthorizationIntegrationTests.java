package io.batchline.api.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.api.RealServicesTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Who may do what: no key, a bad key, a revoked key, another tenant's key, submitter and admin. */
class AuthorizationIntegrationTests extends RealServicesTest {

    private record Call(String method, String path, String body) {
    }

    private String tenant;
    private String ownKey;
    private UUID ownBatch;

    @BeforeEach
    void tenantWithABatch() {
        tenant = "tenant-" + UUID.randomUUID().toString().substring(0, 8);
        ownKey = createKey(tenant, "submitter");
        Answer submitted = as(ownKey, "POST", "/api/batches", "application/json",
                "{\"operation\":\"user.lookup\",\"items\":[{\"email\":\"a@b.io\"}]}", Map.of());
        assertThat(submitted.status()).isEqualTo(202);
        ownBatch = id(submitted);
    }

    private List<Call> everyEndpoint(UUID batch) {
        return List.of(
                new Call("POST", "/api/batches", "{\"operation\":\"noop\",\"items\":[{}]}"),
                new Call("POST", "/api/batches/batch-update-price", "{\"creator\":\"" + tenant + "\",\"contentIds\":[\"c\"],\"newPrice\":1}"),
                new Call("GET", "/api/batches/" + batch, null),
                new Call("GET", "/api/batches/" + batch + "/items", null),
                new Call("GET", "/api/batches/" + batch + "/diagnosis", null),
                new Call("GET", "/api/batches", null),
                new Call("GET", "/api/batches/creator/" + tenant, null),
                new Call("GET", "/api/batches/stats", null),
                new Call("GET", "/api/batches/stats?since=24h", null),
                new Call("GET", "/api/batches/health", null),
                new Call("POST", "/api/batches/" + batch + "/retry", null),
                new Call("POST", "/api/batches/" + batch + "/cancel", null),
                new Call("GET", "/api/admin/keys", null),
                new Call("POST", "/api/admin/keys", "{\"tenant\":\"x\",\"role\":\"submitter\"}"),
                new Call("DELETE", "/api/admin/keys/" + UUID.randomUUID(), null),
                new Call("GET", "/api/admin/audit", null),
                new Call("POST", "/batch/users/create", "{\"users\":[{\"email\":\"a@example.com\",\"name\":\"A\",\"password\":\"long-enough\"}]}"),
                new Call("PATCH", "/batch/users/update", "{\"updates\":[{\"id\":\"" + UUID.randomUUID() + "\",\"data\":{\"name\":\"B\"}}]}"),
                new Call("PATCH", "/batch/users/last-login", "{\"userIds\":[\"" + UUID.randomUUID() + "\"]}"),
                new Call("DELETE", "/batch/users/soft-delete", "{\"userIds\":[\"" + UUID.randomUUID() + "\"]}"),
                new Call("GET", "/batch/users/lookup?ids=" + UUID.randomUUID(), null),
                new Call("DELETE", "/api/admin/batches/" + batch, null),

                new Call("GET", "/api/workers", null),
                // streams: only ever called here with a refused key (a granted one would stay open)
                new Call("GET", "/api/batches/" + batch + "/events", null),
                new Call("GET", "/api/batches/events", null),

                new Call("GET", "/api/admin/rate-limits", null),
                new Call("GET", "/api/admin/rate-limits/noop", null),
                new Call("PUT", "/api/admin/rate-limits/noop", "{\"items\":1,\"period\":\"1h\"}"),
                new Call("DELETE", "/api/admin/rate-limits/noop", null));
    }

    private Answer call(String key, Call call) {
        return as(key, call.method(), call.path(), call.body() == null ? null : "application/json", call.body(), Map.of());
    }

    @Test
    void everyEndpointNeedsAKey() {
        for (Call call : everyEndpoint(ownBatch)) {
            Answer answer = call(null, call);
            assertThat(answer.status()).as("%s %s", call.method(), call.path()).isEqualTo(401);
            assertThat(answer.contentType()).startsWith("application/problem+json");
            assertThat(answer.header("WWW-Authenticate")).startsWith("Bearer");
        }
    }

    @Test
    void unknownAndRevokedKeysAreRefused() {
        for (Call call : everyEndpoint(ownBatch)) {
            assertThat(call("bl_not_a_real_key_at_all_000000", call).status()).as("%s %s", call.method(), call.path()).isEqualTo(401);
        }
        String keyId = get("/api/admin/keys?tenant=" + tenant).body().get("data").get(0).get("keyId").asString();
        assertThat(as(ADMIN_KEY, "DELETE", "/api/admin/keys/" + keyId, null, null, Map.of()).status()).isEqualTo(204);
        Answer revoked = as(ownKey, "GET", "/api/batches/" + ownBatch, null, null, Map.of());
        assertThat(revoked.status()).isEqualTo(401);
        assertThat(revoked.body().get("type").asString()).endsWith("/invalid-key");
    }

    @Test
    void anotherTenantsBatchLooksLikeAMissingOne() {
        String otherKey = createKey("other-" + UUID.randomUUID().toString().substring(0, 8), "submitter");
        for (String path : List.of("/api/batches/" + ownBatch, "/api/batches/" + ownBatch + "/items",
                "/api/batches/" + ownBatch + "/diagnosis",

                "/api/batches/" + ownBatch + "/events")) {
            assertThat(as(otherKey, "GET", path, null, null, Map.of()).status()).as(path).isEqualTo(404);
        }
        for (String action : List.of("cancel", "retry")) {
            assertThat(as(otherKey, "POST", "/api/batches/" + ownBatch + "/" + action, null, null, Map.of()).status())
                    .as(action).isEqualTo(404);
        }
        JsonNode listed = as(otherKey, "GET", "/api/batches?creator=" + tenant, null, null, Map.of()).body();
        assertThat(listed.get("data").size()).isZero();
        assertThat(as(otherKey, "GET", "/api/batches/creator/" + tenant, null, null, Map.of()).body().get("data").size()).isZero();
        assertThat(as(otherKey, "GET", "/api/batches/stats", null, null, Map.of()).body().get("totalBatches").asLong()).isZero();
        JsonNode health = as(otherKey, "GET", "/api/batches/health", null, null, Map.of()).body();
        assertThat(health.get("batchOperations").get("total").asLong()).isZero();
        assertThat(health.has("resources")).isFalse();
        // and the batch is still running: the other tenant's cancel changed nothing
        assertThat(batch(ownBatch).get("status").asString()).isIn("pending", "processing");
    }

    @Test
    void submitterWorksOnItsOwnTenantOnly() {
        assertThat(as(ownKey, "GET", "/api/batches/" + ownBatch, null, null, Map.of()).status()).isEqualTo(200);
        JsonNode mine = as(ownKey, "GET", "/api/batches", null, null, Map.of()).body();
        assertThat(mine.get("data").valueStream().map(b -> b.get("creator").asString())).containsOnly(tenant);
        assertThat(as(ownKey, "GET", "/api/batches/stats", null, null, Map.of()).body().get("totalBatches").asLong()).isEqualTo(1);

        Answer forSomeoneElse = as(ownKey, "POST", "/api/batches", "application/json",
                "{\"operation\":\"noop\",\"creator\":\"somebody-else\",\"items\":[{}]}", Map.of());
        assertThat(forSomeoneElse.status()).isEqualTo(403);
        assertThat(forSomeoneElse.body().get("type").asString()).endsWith("/creator-mismatch");

        for (Call call : everyEndpoint(ownBatch)) {
            if (call.path().startsWith("/api/admin/")) {
                assertThat(call(ownKey, call).status()).as("%s %s", call.method(), call.path()).isEqualTo(403);
            }
        }
        assertThat(as(ownKey, "POST", "/api/batches/" + ownBatch + "/cancel", null, null, Map.of()).status()).isEqualTo(202);
    }

    /** The admin check decides on the path as Spring MVC matches it, not on the raw URI. */
    @Test
    void encodedOrParameterisedAdminPathsNeedAnAdminKeyToo() {
        for (String path : List.of("/api/%61dmin/keys", "/api/admin;x=1/keys", "/api/%61dmin/audit", "/api/admin/;/keys")) {
            Answer answer = as(ownKey, "GET", path, null, null, Map.of());
            assertThat(answer.status()).as(path).isIn(403, 404, 400);
            assertThat(answer.status()).as(path).isNotEqualTo(200);
        }
        Answer created = as(ownKey, "POST", "/api/%61dmin/keys", "application/json", "{\"tenant\":\"x\",\"role\":\"admin\"}", Map.of());
        assertThat(created.status()).isEqualTo(403);
        // a path the filter would not have recognised still needs a key, and never answers 500
        Answer unauthenticated = as(null, "GET", "/batch;x/users/lookup?ids=" + UUID.randomUUID(), null, null, Map.of());
        assertThat(unauthenticated.status()).isEqualTo(401);
        Answer authenticated = as(ownKey, "GET", "/batch;x/users/lookup?ids=" + UUID.randomUUID(), null, null, Map.of());
        assertThat(authenticated.status()).isLessThan(500);
    }

    @Test
    void adminSeesEveryTenantAndTheAuditTrail() {
        assertThat(get("/api/batches/" + ownBatch).status()).isEqualTo(200);
        assertThat(get("/api/batches?creator=" + tenant).body().get("data").size()).isEqualTo(1);
        assertThat(get("/api/batches/stats").body().get("totalBatches").asLong()).isGreaterThanOrEqualTo(1);

        JsonNode keys = get("/api/admin/keys?tenant=" + tenant).body().get("data");
        assertThat(keys.size()).isEqualTo(1);
        assertThat(keys.get(0).has("key")).as("a key is shown once, when created").isFalse();
        assertThat(keys.get(0).get("keyPrefix").asString()).isEqualTo(ownKey.substring(0, 8));

        JsonNode audit = get("/api/admin/audit?tenant=" + tenant).body().get("data");
        assertThat(audit.valueStream().map(e -> e.get("action").asString())).contains("batch.submitted");
        JsonNode submitted = audit.valueStream().filter(e -> e.get("action").asString().equals("batch.submitted")).findFirst().orElseThrow();
        assertThat(submitted.get("target").asString()).isEqualTo(ownBatch.toString());
        assertThat(submitted.get("remoteAddress").asString()).isNotBlank();
        assertThat(submitted.get("userAgent").asString()).as("seed 003 audits the user agent").startsWith("Java-http-client");
        assertThat(get("/api/admin/audit?tenant=admin").body().get("data").valueStream()
                .map(e -> e.get("action").asString())).contains("key.created");
    }

    @Test
    void keysAreNotLeakedByTheirOwnCreation() {
        Answer created = postJson("/api/admin/keys", "{\"tenant\":\"t-" + UUID.randomUUID().toString().substring(0, 6) + "\",\"role\":\"admin\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().get("key").asString()).startsWith("bl_").hasSize(35);
        assertThat(count("SELECT count(*) FROM api_keys WHERE key_prefix = ? AND key_hash IS NOT NULL",
                created.body().get("key").asString().substring(0, 8))).isEqualTo(1);
        Answer badRole = postJson("/api/admin/keys", "{\"tenant\":\"t\",\"role\":\"root\"}");
        assertThat(badRole.status()).isEqualTo(400);
    }
}
