package io.batchline.api.submission;

import io.batchline.model.operations.Operation;
import io.batchline.model.operations.Operations;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Replaces secrets in items before they are stored, so no password reaches the database,
 * the broker or a dead-letter queue: a {@code user.create} password becomes
 * {@code hmac-sha256:<base64url>} keyed with a server-side pepper
 * ({@code BATCH_SECRET_PEPPER}). The worker BCrypts that value; a login check computes the
 * same HMAC of the typed password first. A keyed hash (rather than BCrypt here) keeps
 * submission at COPY speed: BCrypt costs 60-100 ms per item, minutes for a large batch.
 */
@Component
class SecretFields {

    static final String PREFIX = "hmac-sha256:";
    private static final Map<String, Set<String>> SECRET_FIELDS = Map.of(Operations.USER_CREATE.name(), Set.of("password"));

    private final SecretKeySpec pepper;

    SecretFields(SubmissionSettings settings) {
        String pepper = settings.secretPepper();
        this.pepper = new SecretKeySpec(pepper.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** Replaces the operation's secret fields in the (already validated) item, in place; true if any was. */
    boolean protect(Operation<?> operation, ObjectNode item) {
        boolean replaced = false;
        for (String field : SECRET_FIELDS.getOrDefault(operation.name(), Set.of())) {
            if (item.get(field) != null && item.get(field).isString()) {
                item.put(field, digest(item.get(field).asString()));
                replaced = true;
            }
        }
        return replaced;
    }

    String digest(String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(pepper);
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
