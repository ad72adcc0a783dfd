package io.batchline.api.security;

import java.util.UUID;

/**
 * The authenticated caller of a request: which key, which tenant, which role.
 *
 * @param remoteAddress the client's address as the server saw it (for the audit trail)
 * @param userAgent     the client's {@code User-Agent} (for the audit trail, as seed 003 asks), at most 256 characters
 */
public record Caller(UUID keyId, String tenant, Role role, String remoteAddress, @org.jspecify.annotations.Nullable String userAgent) {

    /** {@code submitter}: its own tenant's batches; {@code admin}: everything. */
    public enum Role {
        SUBMITTER, ADMIN;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** The tenant to restrict a query to: null (no restriction) for admins. */
    public String tenantScope() {
        return isAdmin() ? null : tenant;
    }

    public boolean canSee(String batchCreator) {
        return isAdmin() || tenant.equals(batchCreator);
    }
}
