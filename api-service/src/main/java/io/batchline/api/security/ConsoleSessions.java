package io.batchline.api.security;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Sessions of the operator console. Signing in exchanges an API key for a random token
 * (kept by the browser in an HttpOnly, SameSite=Strict cookie; only its hash is stored) and
 * a CSRF token the page echoes on every state-changing request. Sessions live in the
 * database, so any API instance serves them, and a session is only as good as its key: a
 * revoked key ends it on the next request.
 */
@Component
public class ConsoleSessions {

    public static final String COOKIE = "bl_session";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    /** The request attribute that holds a console request's {@link Session} (for its pages' CSRF token). */
    public static final String REQUEST_ATTRIBUTE = ConsoleSessions.class.getName() + ".session";

    static final String CREATE = """
            INSERT INTO console_sessions (token_hash, key_id, csrf, expires_at)
            VALUES (:hash, :keyId, :csrf, now() + make_interval(secs => :ttlSeconds))
            """;
    static final String FIND = """
            SELECT k.id, k.tenant, k.role, s.csrf
              FROM console_sessions s JOIN api_keys k ON k.id = s.key_id
             WHERE s.token_hash = :hash AND s.expires_at > now() AND k.revoked_at IS NULL
            """;
    static final String DELETE = "DELETE FROM console_sessions WHERE token_hash = :hash";
    static final String EXPIRED = "DELETE FROM console_sessions WHERE expires_at < now()";

    /**
     * @param ttl how long a console session lasts from sign-in ({@code BATCH_CONSOLE_SESSION_TTL})
     */
    @ConfigurationProperties("batch.console")
    public record Settings(@DefaultValue("12h") Duration sessionTtl) {
    }

    /** A signed-in browser: who it acts as, and the CSRF token its page must echo. */
    public record Session(Caller caller, String csrf) {
    }

    /** A new session: the cookie's token (shown once) and its CSRF token. */
    public record Created(String token, String csrf, Duration ttl) {
    }

    private final JdbcClient jdbc;
    private final Settings settings;

    ConsoleSessions(JdbcClient jdbc, Settings settings) {
        this.jdbc = jdbc;
        this.settings = settings;
    }

    public Created create(Caller caller) {
        String token = ApiKeys.random(40);
        String csrf = ApiKeys.random(32);
        jdbc.sql(CREATE).param("hash", ApiKeys.sha256(token)).param("keyId", caller.keyId()).param("csrf", csrf)
                .param("ttlSeconds", settings.sessionTtl().toSeconds()).update();
        return new Created(token, csrf, settings.sessionTtl());
    }

    Optional<Session> find(@Nullable String token, String remoteAddress, @Nullable String userAgent) {
        if (token == null || token.isEmpty() || token.length() > 100) {
            return Optional.empty();
        }
        return jdbc.sql(FIND).param("hash", ApiKeys.sha256(token))
                .query((rs, n) -> new Session(new Caller(rs.getObject(1, java.util.UUID.class), rs.getString(2),
                        Caller.Role.valueOf(rs.getString(3).toUpperCase(java.util.Locale.ROOT)), remoteAddress,
                        userAgent == null ? null : userAgent.substring(0, Math.min(256, userAgent.length()))), rs.getString(4)))
                .optional();
    }

    public void delete(@Nullable String token) {
        if (token != null && !token.isEmpty() && token.length() <= 100) {
            jdbc.sql(DELETE).param("hash", ApiKeys.sha256(token)).update();
        }
    }

    /** Constant-time comparison of a request's CSRF token with the session's. */
    static boolean csrfMatches(Session session, @Nullable String sent) {
        return sent != null && MessageDigest.isEqual(sent.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                session.csrf().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Scheduled(fixedDelayString = "PT10M")
    void removeExpired() {
        jdbc.sql(EXPIRED).update();
    }
}
