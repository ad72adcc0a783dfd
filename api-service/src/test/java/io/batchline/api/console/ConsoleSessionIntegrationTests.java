package io.batchline.api.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.api.RealServicesTest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The console's session over plain HTTP: sign-in with login-CSRF protection, the cookie's
 * attributes, the session working for the JSON API with the CSRF token on every change,
 * revocation and sign-out ending it, and no secret in any page.
 */
class ConsoleSessionIntegrationTests extends RealServicesTest {

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private record Reply(int status, Map<String, List<String>> headers, String body) {
        String cookie(String name) {
            return headers.getOrDefault("set-cookie", List.of()).stream().filter(c -> c.startsWith(name + "="))
                    .findFirst().orElse(null);
        }
    }

    private Reply send(String method, String path, String cookie, String contentType, String body, Map<String, String> extra)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        extra.forEach(request::header);
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.headers().map(), response.body());
    }

    private static String value(String setCookie) {
        return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
    }

    /** Signs in with the key and returns the session cookie ("bl_session=…") and the page's CSRF token. */
    private String[] signIn(String key) throws Exception {
        Reply form = send("GET", "/ui/sign-in", null, null, null, Map.of());
        assertThat(form.status()).isEqualTo(200);
        String signInCookie = form.cookie("bl_sign_in");
        Matcher token = Pattern.compile("name=\"_signin\" value=\"([^\"]+)\"").matcher(form.body());
        assertThat(token.find()).isTrue();
        Reply signedIn = send("POST", "/ui/sign-in", "bl_sign_in=" + value(signInCookie), "application/x-www-form-urlencoded",
                "_signin=" + token.group(1) + "&apiKey=" + URLEncoder.encode(key, StandardCharsets.UTF_8), Map.of());
        assertThat(signedIn.status()).isEqualTo(302);
        String session = signedIn.cookie("bl_session");
        assertThat(session).contains("HttpOnly").contains("SameSite=Strict").contains("Path=/");
        String cookie = "bl_session=" + value(session);
        Reply page = send("GET", "/ui", cookie, null, null, Map.of());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).doesNotContain(key).doesNotContain(value(session));
        assertThat(page.headers().get("content-security-policy").getFirst()).contains("default-src 'self'");
        Matcher csrf = Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"").matcher(page.body());
        assertThat(csrf.find()).isTrue();
        return new String[] {cookie, csrf.group(1)};
    }

    @Test
    void aSessionActsAsItsKeyAndEveryChangeNeedsTheCsrfToken() throws Exception {
        String key = createKey("console-tenant", "submitter");
        String[] session = signIn(key);
        UUID batch = submitLookups(2, "{}");
        UUID own = id(as(key, "POST", "/api/batches", "application/json", "{\"operation\":\"noop\",\"items\":[{},{}]}", Map.of()));

        assertThat(send("GET", "/api/batches/" + own, session[0], null, null, Map.of()).status()).isEqualTo(200);
        assertThat(send("GET", "/api/batches/" + batch, session[0], null, null, Map.of()).status()).as("another tenant's").isEqualTo(404);
        assertThat(send("GET", "/ui/batches/" + batch, session[0], null, null, Map.of()).status()).isEqualTo(404);
        assertThat(send("GET", "/api/admin/keys", session[0], null, null, Map.of()).status()).isEqualTo(403);

        Reply noToken = send("POST", "/api/batches/" + own + "/cancel", session[0], null, null, Map.of());
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(noToken.body()).contains("/csrf");
        Reply wrongToken = send("POST", "/api/batches/" + own + "/cancel", session[0], null, null, Map.of("X-CSRF-Token", "nope"));
        assertThat(wrongToken.status()).isEqualTo(403);
        Reply cancelled = send("POST", "/api/batches/" + own + "/cancel", session[0], null, null, Map.of("X-CSRF-Token", session[1]));
        assertThat(cancelled.status()).isEqualTo(202);
        assertThat(count("SELECT count(*) FROM audit_log WHERE tenant = 'console-tenant' AND action = 'batch.cancelled'")).isEqualTo(1);

        // sign-out needs the token too, and ends the session
        assertThat(send("POST", "/ui/sign-out", session[0], "application/x-www-form-urlencoded", "", Map.of()).status()).isEqualTo(403);
        Reply out = send("POST", "/ui/sign-out", session[0], "application/x-www-form-urlencoded", "_csrf=" + session[1], Map.of());
        assertThat(out.status()).isEqualTo(302);
        assertThat(send("GET", "/api/batches/" + own, session[0], null, null, Map.of()).status()).isEqualTo(401);
        Reply page = send("GET", "/ui", session[0], null, null, Map.of());
        assertThat(page.status()).isEqualTo(302);
        assertThat(page.headers().get("location").getFirst()).endsWith("/ui/sign-in");
    }

    @Test
    void revokingTheKeyEndsItsSessionsAndSignInNeedsItsFormToken() throws Exception {
        String key = createKey("revoked-tenant", "submitter");
        String[] session = signIn(key);
        String keyId = get("/api/admin/keys?tenant=revoked-tenant").body().get("data").get(0).get("keyId").asString();
        assertThat(as(ADMIN_KEY, "DELETE", "/api/admin/keys/" + keyId, null, null, Map.of()).status()).isEqualTo(204);
        assertThat(send("GET", "/api/batches", session[0], null, null, Map.of()).status()).isEqualTo(401);

        // a sign-in posted from elsewhere (no matching form token) is refused: login CSRF
        String other = createKey("other-tenant", "submitter");
        Reply forged = send("POST", "/ui/sign-in", null, "application/x-www-form-urlencoded",
                "_signin=guess&apiKey=" + URLEncoder.encode(other, StandardCharsets.UTF_8), Map.of());
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.cookie("bl_session")).isNull();
        Reply wrongKey = send("POST", "/ui/sign-in", "bl_sign_in=abc", "application/x-www-form-urlencoded", "_signin=abc&apiKey=bl_nope", Map.of());
        assertThat(wrongKey.status()).isEqualTo(401);
        assertThat(wrongKey.body()).contains("unknown or has been revoked");
    }
}
