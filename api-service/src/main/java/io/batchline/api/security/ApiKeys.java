package io.batchline.api.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * API keys: creation (the key is returned once and only its SHA-256 is stored), lookup by
 * key for every request, listing and revocation. A tenant is created with its first key.
 */
@Component
public class ApiKeys {

    static final String FIND_ACTIVE = """
            SELECT id, tenant, role FROM api_keys WHERE key_hash = :hash AND revoked_at IS NULL
            """;
    static final String CREATE_TENANT = """
            INSERT INTO tenants (id, signing_secret) VALUES (:tenant, :secret) ON CONFLICT (id) DO NOTHING
            """;
    static final String CREATE_KEY = """
            INSERT INTO api_keys (id, tenant, role, key_hash, key_prefix, created_by)
            VALUES (:id, :tenant, :role, :hash, :prefix, :createdBy)
            ON CONFLICT (key_hash) DO NOTHING
            """;
    static final String REVOKE = """
            UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = :id RETURNING tenant
            """;
    static final String LIST = """
            SELECT id, tenant, role, key_prefix, created_at, revoked_at FROM api_keys
             WHERE (CAST(:tenant AS text) IS NULL OR tenant = :tenant)
             ORDER BY created_at DESC LIMIT 500
            """;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    private final JdbcClient jdbc;

    ApiKeys(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A key as stored: never the key itself. */
    public record KeyInfo(UUID keyId, String tenant, String role, String keyPrefix, Instant createdAt, @Nullable Instant revokedAt) {
    }

    /** A freshly created key: the only moment the key is known. */
    public record NewKey(UUID keyId, String tenant, String role, String key) {
    }

    public Optional<Caller> authenticate(String key, String remoteAddress, @Nullable String userAgent) {
        return jdbc.sql(FIND_ACTIVE).param("hash", sha256(key))
                .query((rs, n) -> new Caller(rs.getObject(1, UUID.class), rs.getString(2),
                        Caller.Role.valueOf(rs.getString(3).toUpperCase(java.util.Locale.ROOT)), remoteAddress,
                        userAgent == null ? null : userAgent.substring(0, Math.min(256, userAgent.length()))))
                .optional();
    }

    @Transactional
    public NewKey create(String tenant, Caller.Role role, @Nullable UUID createdBy) {
        String key = "bl_" + random(32);
        register(tenant, role, key, createdBy);
        UUID id = jdbc.sql("SELECT id FROM api_keys WHERE key_hash = :hash").param("hash", sha256(key)).query(UUID.class).single();
        return new NewKey(id, tenant, role.wireName(), key);
    }

    /** Stores a given key (the bootstrap admin key); does nothing if it exists already. */
    @Transactional
    public void register(String tenant, Caller.Role role, String key, @Nullable UUID createdBy) {
        jdbc.sql(CREATE_TENANT).param("tenant", tenant).param("secret", random(48)).update();
        jdbc.sql(CREATE_KEY)
                .param("id", UUID.randomUUID()).param("tenant", tenant).param("role", role.wireName())
                .param("hash", sha256(key)).param("prefix", key.substring(0, Math.min(8, key.length())))
                .param("createdBy", createdBy)
                .update();
    }

    /** Revokes the key; the tenant it belonged to, or empty if there is no such key. */
    public Optional<String> revoke(UUID keyId) {
        return jdbc.sql(REVOKE).param("id", keyId).query(String.class).optional();
    }

    public List<KeyInfo> list(@Nullable String tenant) {
        return jdbc.sql(LIST).param("tenant", tenant)
                .query((rs, n) -> new KeyInfo(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant(), rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant()))
                .list();
    }

    public Optional<String> signingSecret(String tenant) {
        return jdbc.sql("SELECT signing_secret FROM tenants WHERE id = :tenant").param("tenant", tenant).query(String.class).optional();
    }

    public boolean anyActiveAdmin() {
        return jdbc.sql("SELECT 1 FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL LIMIT 1")
                .query(Integer.class).optional().isPresent();
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String random(int length) {
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(chars);
    }
}
