package io.batchline.api.submission;

import io.batchline.api.callback.OutboundPolicy;
import io.batchline.api.dispatch.ItemDispatcher;
import io.batchline.api.support.TimeOrderedIds;
import io.batchline.api.problem.BatchRejected;
import io.batchline.api.security.AuditTrail;
import io.batchline.api.security.Caller;
import io.batchline.api.security.SubmissionRateLimit;
import io.batchline.model.status.BatchStatus;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import io.batchline.support.tracing.ItemLogFields;
import io.batchline.support.tracing.ItemTracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Accepts a batch: validates and stores the batch row and all its items in one transaction
 * (items by COPY, streamed from the request), then hands the batch to the dispatcher. The
 * client is answered as soon as the transaction commits; dispatch runs after it, never
 * inside it, so a publish can never refer to rows that were rolled back.
 */
@Component
public class BatchSubmission {

    private static final Logger log = LoggerFactory.getLogger(BatchSubmission.class);

    static final String INSERT_BATCH = """
            INSERT INTO batches (id, creator, operation, options, metadata, status, total, deadline, trace_parent)
            VALUES (:id, :creator, :operation, :options::jsonb, :metadata::jsonb, 'pending', :total,
                    now() + make_interval(secs => :timeoutSeconds), :traceParent)
            """;

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final ItemValidator validator;
    private final SubmissionLimits limits;
    private final ItemDispatcher dispatcher;
    private final MeterRegistry meters;
    private final AuditTrail audit;
    private final IdempotencyKeys idempotencyKeys;
    private final SubmissionRateLimit rateLimit;
    private final OutboundPolicy outbound;
    private final SecretFields secrets;
    private final ItemTracing tracing;

    BatchSubmission(DataSource dataSource, JdbcClient jdbc, TransactionTemplate transaction, ItemValidator validator,
                    SubmissionLimits limits, ItemDispatcher dispatcher, MeterRegistry meters, AuditTrail audit,
                    IdempotencyKeys idempotencyKeys, SubmissionRateLimit rateLimit, OutboundPolicy outbound,
                    SecretFields secrets, ItemTracing tracing) {
        this.tracing = tracing;
        this.outbound = outbound;
        this.secrets = secrets;
        this.rateLimit = rateLimit;
        this.audit = audit;
        this.idempotencyKeys = idempotencyKeys;
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.validator = validator;
        this.limits = limits;
        this.dispatcher = dispatcher;
        this.meters = meters;
    }

    /**
     * What the client is told about an accepted batch.
     *
     * @param replayed true when an earlier submission with the same Idempotency-Key created it
     */
    public record Accepted(UUID batchId, String status, int totalItems, String operation, boolean replayed) {
    }

    public Accepted submitJson(InputStream body, Caller caller, @Nullable String idempotencyKey) {
        HashingStream hashed = hashedIfKeyed(body, idempotencyKey);
        return submit(draft -> SubmissionReader.readJson(hashed == null ? body : hashed, draft), caller, idempotencyKey, hashed);
    }

    public Accepted submitNdjson(InputStream body, Caller caller, @Nullable String idempotencyKey) {
        HashingStream hashed = hashedIfKeyed(body, idempotencyKey);
        return submit(draft -> SubmissionReader.readNdjson(hashed == null ? body : hashed, draft), caller, idempotencyKey, hashed);
    }

    /** Only a keyed submission's body is hashed (to recognise its repeats): SHA-256 over every byte is not free. */
    private static @Nullable HashingStream hashedIfKeyed(InputStream body, @Nullable String idempotencyKey) {
        return idempotencyKey == null ? null : new HashingStream(body);
    }

    /** Submits a batch whose header and items come from code rather than a request body. */
    Accepted submit(Consumer<BatchDraft> source, Caller caller) {
        return submit(source, caller, null, null);
    }

    private Accepted submit(Consumer<BatchDraft> source, Caller caller, @Nullable String idempotencyKey,
                            @Nullable HashingStream body) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 200)) {
            throw BatchRejected.badRequest("invalid-request", "Invalid request", "Idempotency-Key must be 1 to 200 characters");
        }
        UUID batchId = TimeOrderedIds.next();
        Stored stored;
        try {
            stored = store(batchId, source, caller, idempotencyKey, body);
        } catch (IdempotencyKeys.KeyTaken taken) {
            return idempotencyKeys.replay(caller.tenant(), idempotencyKey, body.digest());
        }
        Accepted accepted = stored.accepted();
        try (ItemLogFields fields = ItemLogFields.batch(batchId, accepted.operation(), stored.owner())) {
            log.info("Accepted batch {}: {} items of {}{}", batchId, accepted.totalItems(), accepted.operation(),
                    idempotencyKey == null ? "" : " (with an Idempotency-Key)");
        }
        meters.counter("batchline.batches.submitted", "operation", accepted.operation()).increment();
        meters.counter("batchline.items.submitted", "operation", accepted.operation()).increment(accepted.totalItems());
        dispatcher.dispatchSoon(batchId);
        return accepted;
    }

    /** A stored batch and its owner (the creator every item message carries as its tenant). */
    private record Stored(Accepted accepted, String owner) {
    }

    private Stored store(UUID batchId, Consumer<BatchDraft> source, Caller caller, @Nullable String idempotencyKey,
                           @Nullable HashingStream body) {
        return transaction.execute(status -> {
            Connection connection = DataSourceUtils.getConnection(dataSource);
            try (BatchDraft draft = new BatchDraft(batchId, connection, validator, limits, caller, outbound, secrets)) {
                source.accept(draft);
                int total = draft.finish();
                rateLimit.acquireItems(caller, total);
                BatchOptions options = draft.options();
                jdbc.sql(INSERT_BATCH)
                        .param("id", batchId)
                        .param("creator", draft.creator())
                        .param("operation", draft.requireOperation().name())
                        .param("options", ItemValidator.STRICT.writeValueAsString(options))
                        .param("metadata", draft.metadata() == null ? null : ItemValidator.STRICT.writeValueAsString(draft.metadata()))
                        .param("total", total)
                        .param("timeoutSeconds", options.timeoutSeconds())
                        .param("traceParent", tracing.currentTraceParent())
                        .update();
                if (idempotencyKey != null && body != null) {
                    // after the whole body was read: a concurrent duplicate waits here on the key
                    idempotencyKeys.claim(caller.tenant(), idempotencyKey, body.digest(), batchId);
                }
                audit.record(caller, "batch.submitted", batchId.toString(),
                        Map.of("operation", draft.requireOperation().name(), "items", total, "creator", draft.creator()));
                return new Stored(new Accepted(batchId, BatchStatus.PENDING.wireName(), total, draft.requireOperation().name(), false),
                        draft.creator());
            } catch (SQLException e) {
                throw new IllegalStateException("storing batch " + batchId + " failed", e);
            } finally {
                DataSourceUtils.releaseConnection(connection, dataSource);
            }
        });
    }
}
