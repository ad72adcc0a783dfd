package io.batchline.api.security;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Who did what, when and from where; written in the same transaction as the action where there is one. */
@Component
public class AuditTrail {

    static final String RECORD = """
            INSERT INTO audit_log (tenant, key_id, action, target, remote_address, user_agent, details)
            VALUES (:tenant, :keyId, :action, :target, :address, :userAgent, :details::jsonb)
            """;
    static final String PAGE = """
            SELECT id, at, tenant, key_id, action, target, remote_address, details::text, user_agent FROM audit_log
             WHERE (CAST(:tenant AS text) IS NULL OR tenant = :tenant)
               AND (CAST(:before AS bigint) IS NULL OR id < :before)
             ORDER BY id DESC LIMIT :limit
            """;

    private final JdbcClient jdbc;
    private final JsonMapper json;

    AuditTrail(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** One audit entry as admins read it. */
    public record Entry(long id, Instant at, String tenant, @Nullable UUID keyId, String action, @Nullable String target,
                        @Nullable String remoteAddress, @Nullable JsonNode details, @Nullable String userAgent) {
    }

    public void record(Caller caller, String action, @Nullable String target, Map<String, ?> details) {
        jdbc.sql(RECORD)
                .param("tenant", caller.tenant()).param("keyId", caller.keyId()).param("action", action)
                .param("target", target).param("address", caller.remoteAddress()).param("userAgent", caller.userAgent())
                .param("details", details.isEmpty() ? null : json.writeValueAsString(details))
                .update();
    }

    public List<Entry> page(@Nullable String tenant, @Nullable Long before, int limit) {
        return jdbc.sql(PAGE).param("tenant", tenant).param("before", before).param("limit", limit)
                .query((rs, n) -> new Entry(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                        rs.getObject(4, UUID.class), rs.getString(5), rs.getString(6), rs.getString(7),
                        rs.getString(8) == null ? null : json.readTree(rs.getString(8)), rs.getString(9)))
                .list();
    }
}
