package io.batchline.api.callback;

import io.batchline.support.outbound.OutboundPolicy.Verdict;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Delivers completion callbacks from the outbox. Any API instance may: a due row is claimed
 * by pushing its next attempt {@code batch.callbacks.claim-for} (a minute) ahead ({@code SKIP
 * LOCKED}, so two instances never take the same row), then sent outside any transaction.
 * Claimed rows are sent one after another, so a run takes no new row once half its claim has
 * passed and gives the rest back: a send (3 s to connect, 5 s for the answer) started before
 * then has ended long before the claim runs out and another instance may take the row, so a
 * callback is never sent by two instances at once (only a crash between a receiver's 2xx and
 * the row's update sends it again). The body is the batch summary,
 * signed as {@code X-Batch-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body"
 * with the tenant's signing secret>}. A 2xx delivers it; anything else is retried with
 * exponential backoff until {@code batch.callbacks.give-up-after}; every attempt's outcome
 * is on the row and shown on the batch.
 */
@Component
class CallbackSender {

    private static final Logger log = LoggerFactory.getLogger(CallbackSender.class);

    static final String CLAIM_DUE = """
            UPDATE callback_outbox SET next_attempt_at = now() + make_interval(secs => :claimSeconds)
             WHERE batch_id IN (SELECT batch_id FROM callback_outbox
                                 WHERE delivered_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= now()
                                 ORDER BY next_attempt_at LIMIT 20
                                 FOR UPDATE SKIP LOCKED)
            RETURNING batch_id, url, attempts, created_at, tenant
            """;
    /** Claimed rows this run did not get to: due again at once, for any instance. */
    static final String GIVE_BACK = """
            UPDATE callback_outbox SET next_attempt_at = now()
             WHERE batch_id IN (:ids) AND delivered_at IS NULL AND gave_up_at IS NULL
            """;
    static final String SUMMARY = """
            SELECT b.id, b.creator, b.operation, b.status, b.status_reason, b.total, b.succeeded, b.failed,
                   b.cancelled, b.timed_out, b.completed_at, t.signing_secret
              FROM batches b JOIN tenants t ON t.id = b.creator
             WHERE b.id = :id
            """;
    static final String ATTEMPT = """
            INSERT INTO callback_attempts (batch_id, attempt, status, error)
            SELECT :id, :attempt, :status, :error WHERE EXISTS (SELECT 1 FROM callback_outbox WHERE batch_id = :id)
            ON CONFLICT DO NOTHING
            """;
    static final String DELIVERED = """
            UPDATE callback_outbox SET delivered_at = now(), attempts = attempts + 1, last_status = :status, last_error = NULL
             WHERE batch_id = :id
            """;
    static final String FAILED = """
            UPDATE callback_outbox
               SET attempts = attempts + 1, last_status = :status, last_error = :error,
                   next_attempt_at = now() + make_interval(secs => :delaySeconds),
                   gave_up_at = CASE WHEN :giveUp THEN now() END
             WHERE batch_id = :id
            """;

    private record Due(UUID batchId, String url, int attempts, Instant createdAt, String tenant) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final OutboundPolicy policy;
    private final Duration firstRetry;
    private final Duration giveUpAfter;
    private final Duration claimFor;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(3))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    CallbackSender(JdbcClient jdbc, JsonMapper json, OutboundPolicy policy, CallbackSettings settings) {
        this.jdbc = jdbc;
        this.json = json;
        this.policy = policy;
        this.firstRetry = settings.firstRetry();
        this.giveUpAfter = settings.giveUpAfter();
        this.claimFor = settings.claimFor();
    }

    @Scheduled(fixedDelayString = "${batch.callbacks.poll-interval:1s}")
    void sendDue() {
        List<Due> due;
        long claimedAt = System.nanoTime();
        try {
            due = jdbc.sql(CLAIM_DUE).param("claimSeconds", claimFor.toMillis() / 1000.0)
                    .query((rs, n) -> new Due(rs.getObject(1, UUID.class), rs.getString(2), rs.getInt(3),
                            rs.getTimestamp(4).toInstant(), rs.getString(5))).list();
        } catch (RuntimeException e) {
            log.debug("Callback poll failed: {}", e.getMessage());
            return;
        }
        Duration lastStart = claimFor.dividedBy(2);
        for (int i = 0; i < due.size(); i++) {
            if (Duration.ofNanos(System.nanoTime() - claimedAt).compareTo(lastStart) > 0) {
                giveBack(due.subList(i, due.size()));
                return;
            }
            send(due.get(i));
        }
    }

    private void giveBack(List<Due> rows) {
        List<UUID> ids = rows.stream().map(Due::batchId).toList();
        try {
            jdbc.sql(GIVE_BACK).param("ids", ids).update();
        } catch (RuntimeException e) {
            // they are due again when the claim runs out anyway
            log.debug("Could not give back {} claimed callbacks: {}", ids.size(), e.getMessage());
        }
    }

    private void send(Due due) {
        int status = 0;
        String error;
        try {
            Verdict verdict = policy.check(due.url());
            if (verdict instanceof Verdict.Refused refused) {
                fail(due, 0, "callback URL " + refused.message(), true);
                return;
            }
            Verdict.Allowed allowed = (Verdict.Allowed) verdict;
            Map<String, Object> summary = new LinkedHashMap<>();
            String secret = jdbc.sql(SUMMARY).param("id", due.batchId()).query((rs, n) -> {
                summary.put("batchId", rs.getObject(1, UUID.class));
                summary.put("creator", rs.getString(2));
                summary.put("operation", rs.getString(3));
                summary.put("status", rs.getString(4));
                summary.put("statusReason", rs.getString(5));
                summary.put("totalItems", rs.getInt(6));
                summary.put("counts", Map.of("succeeded", rs.getInt(7), "failed", rs.getInt(8),
                        "cancelled", rs.getInt(9), "timed_out", rs.getInt(10)));
                summary.put("completedAt", rs.getTimestamp(11) == null ? null : rs.getTimestamp(11).toInstant());
                summary.put("links", Map.of("self", "/api/batches/" + due.batchId(),
                        "items", "/api/batches/" + due.batchId() + "/items"));
                return rs.getString(12);
            }).single();
            byte[] body = json.writeValueAsBytes(summary);
            long timestamp = Instant.now().getEpochSecond();
            HttpRequest request = HttpRequest.newBuilder(URI.create(due.url()))
                    .timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Batchline-Callback/1")
                    .header("X-Batch-Id", due.batchId().toString())
                    .header("X-Batch-Signature", "t=" + timestamp + ",v1=" + sign(secret, timestamp, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            HttpResponse<Void> response;
            try (var pin = allowed.pin()) {
                response = http.send(request, HttpResponse.BodyHandlers.discarding());
            }
            status = response.statusCode();
            if (status >= 200 && status < 300) {
                jdbc.sql(DELIVERED).param("status", status).param("id", due.batchId()).update();
                recordAttempt(due, status, null);
                log.info("Callback of batch {} delivered to {} ({})", due.batchId(), due.url(), status);
                return;
            }
            error = "answered " + status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        boolean giveUp = Instant.now().isAfter(due.createdAt().plus(giveUpAfter));
        fail(due, status, error, giveUp);
    }

    private void recordAttempt(Due due, int status, @Nullable String error) {
        jdbc.sql(ATTEMPT).param("id", due.batchId()).param("attempt", due.attempts() + 1)
                .param("status", status == 0 ? null : status).param("error", error).update();
    }

    /** Backoff: first-retry, then doubling, at most five minutes between attempts. */
    private void fail(Due due, int status, @Nullable String error, boolean giveUp) {
        recordAttempt(due, status, error);
        double delaySeconds = Math.min(300.0, firstRetry.toMillis() / 1000.0 * (1L << Math.min(due.attempts(), 16)));
        jdbc.sql(FAILED).param("status", status == 0 ? null : status).param("error", error)
                .param("delaySeconds", delaySeconds).param("giveUp", giveUp).param("id", due.batchId()).update();
        log.warn("Callback of batch {} to {} failed ({}){}", due.batchId(), due.url(), error, giveUp ? "; giving up" : "; will retry");
    }

    static String sign(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
