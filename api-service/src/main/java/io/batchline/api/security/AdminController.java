package io.batchline.api.security;

import io.batchline.api.problem.BatchRejected;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Admin-only (the filter sees to it): API keys and the audit trail. */
@RestController
@RequestMapping("/api/admin")
class AdminController {

    private final ApiKeys keys;
    private final AuditTrail audit;

    AdminController(ApiKeys keys, AuditTrail audit) {
        this.keys = keys;
        this.audit = audit;
    }

    record KeyRequest(@NotBlank @Pattern(regexp = "[A-Za-z0-9._:-]{1,128}") String tenant,
                      @NotNull @Pattern(regexp = "submitter|admin") String role) {
    }

    @PostMapping("/keys")
    @ApiResponse(responseCode = "201", description = "the new key; the only time it is shown")
    ResponseEntity<ApiKeys.NewKey> createKey(@Valid @RequestBody KeyRequest request, Caller caller) {
        ApiKeys.NewKey key = keys.create(request.tenant(), Caller.Role.valueOf(request.role().toUpperCase(java.util.Locale.ROOT)),
                caller.keyId());
        audit.record(caller, "key.created", key.keyId().toString(), Map.of("tenant", key.tenant(), "role", key.role()));
        return ResponseEntity.created(URI.create("/api/admin/keys/" + key.keyId())).body(key);
    }

    @GetMapping("/keys")
    Map<String, List<ApiKeys.KeyInfo>> listKeys(@RequestParam(required = false) @Nullable String tenant) {
        return Map.of("data", keys.list(tenant));
    }

    @DeleteMapping("/keys/{keyId}")
    @ApiResponse(responseCode = "204", description = "revoked at once")
    ResponseEntity<Void> revokeKey(@PathVariable UUID keyId, Caller caller) {
        String tenant = keys.revoke(keyId).orElseThrow(() -> BatchRejected.notFound("key " + keyId));
        audit.record(caller, "key.revoked", keyId.toString(), Map.of("tenant", tenant));
        return ResponseEntity.noContent().build();
    }

    /** The secret a tenant's callbacks are signed with, to configure its receiver. */
    @GetMapping("/tenants/{tenant}")
    Map<String, Object> tenant(@PathVariable String tenant) {
        return keys.signingSecret(tenant).<Map<String, Object>>map(secret -> Map.of("tenant", tenant, "signingSecret", secret))
                .orElseThrow(() -> BatchRejected.notFound("tenant " + tenant));
    }

    @GetMapping("/audit")
    Map<String, Object> audit(@RequestParam(required = false) @Nullable String tenant,
                              @RequestParam(required = false) @Nullable Long before,
                              @RequestParam(defaultValue = "100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw BatchRejected.badRequest("invalid-parameter", "Invalid parameter", "limit must be between 1 and 1000");
        }
        List<AuditTrail.Entry> entries = audit.page(tenant, before, limit);
        Map<String, Object> page = new java.util.LinkedHashMap<>();
        page.put("data", entries);
        page.put("nextBefore", entries.size() == limit ? entries.getLast().id() : null);
        return page;
    }
}
