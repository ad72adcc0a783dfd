package io.batchline.api.submission;

import io.batchline.api.problem.BatchRejected;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * {@code Idempotency-Key} of submissions, per tenant. The key is claimed in the submission
 * transaction after the whole body was read; a concurrent submission with the same key
 * waits on the primary key until the first commits, then finds the key taken and rolls
 * back, so twenty parallel retries create exactly one batch. A repeat with the same body
 * gets the original batch; with another body, a 422. Keys expire after
 * {@code BATCH_IDEMPOTENCY_TTL} (24 h): an expired key is taken over by the next submission.
 */
@Component
class IdempotencyKeys {

    static final String CLAIM = """
            INSERT INTO idempotency_keys (tenant, key, request_hash, batch_id) VALUES (:tenant, :key, :hash, :batchId)
            ON CONFLICT (tenant, key) DO UPDATE
               SET request_hash = EXCLUDED.request_hash, batch_id = EXCLUDED.batch_id, created_at = now()
             WHERE idempotency_keys.created_at < now() - make_interval(secs => :ttlSeconds)
            RETURNING batch_id
            """;
    static final String EXISTING = """
            SELECT k.request_hash, k.batch_id, b.status, b.total, b.operation
              FROM idempotency_keys k JOIN batches b ON b.id = k.batch_id
             WHERE k.tenant = :tenant AND k.key = :key
            """;
    static final String EXPIRE = "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => :ttlSeconds)";

    /** The key belongs to an earlier submission; the current transaction must roll back. */
    static final class KeyTaken extends RuntimeException {
        KeyTaken() {
            super(null, null, false, false);
        }
    }

    private final JdbcClient jdbc;
    private final Duration ttl;

    IdempotencyKeys(JdbcClient jdbc, SubmissionSettings settings) {
        this.jdbc = jdbc;
        this.ttl = settings.idempotencyTtl();
    }

    void claim(String tenant, String key, byte[] hash, UUID batchId) {
        boolean claimed = jdbc.sql(CLAIM).param("tenant", tenant).param("key", key).param("hash", hash)
                .param("batchId", batchId).param("ttlSeconds", ttl.toSeconds())
                .query(UUID.class).optional().isPresent();
        if (!claimed) {
            throw new KeyTaken();
        }
    }

    BatchSubmission.Accepted replay(String tenant, String key, byte[] hash) {
        record Existing(byte[] hash, UUID batchId, String status, int total, String operation) {
        }
        Existing existing = jdbc.sql(EXISTING).param("tenant", tenant).param("key", key)
                .query((rs, n) -> new Existing(rs.getBytes(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getInt(4), rs.getString(5)))
                .single();
        if (!Arrays.equals(existing.hash(), hash)) {
            throw new BatchRejected(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused", "Idempotency key reused",
                    "Idempotency-Key '" + key + "' was used for a different request (batch " + existing.batchId() + ")",
                    Map.of("batchId", existing.batchId()));
        }
        return new BatchSubmission.Accepted(existing.batchId(), existing.status(), existing.total(), existing.operation(), true);
    }

    @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT1M")
    void expire() {
        jdbc.sql(EXPIRE).param("ttlSeconds", ttl.toSeconds()).update();
    }
}
