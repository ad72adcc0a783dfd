package io.batchline.api.submission;

import io.batchline.api.dispatch.ItemDispatcher;
import io.batchline.api.support.TimeOrderedIds;
import io.batchline.model.status.BatchStatus;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
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

    static final String INSERT_BATCH = """
            INSERT INTO batches (id, creator, operation, options, metadata, status, total, deadline)
            VALUES (:id, :creator, :operation, :options::jsonb, :metadata::jsonb, 'pending', :total,
                    now() + make_interval(secs => :timeoutSeconds))
            """;

    private final DataSource dataSource;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final ItemValidator validator;
    private final SubmissionLimits limits;
    private final ItemDispatcher dispatcher;
    private final MeterRegistry meters;

    BatchSubmission(DataSource dataSource, JdbcClient jdbc, TransactionTemplate transaction, ItemValidator validator,
                    SubmissionLimits limits, ItemDispatcher dispatcher, MeterRegistry meters) {
        this.dataSource = dataSource;
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.validator = validator;
        this.limits = limits;
        this.dispatcher = dispatcher;
        this.meters = meters;
    }

    /** What the client is told about an accepted batch. */
    public record Accepted(UUID batchId, BatchStatus status, int totalItems, String operation) {
    }

    public Accepted submitJson(InputStream body) {
        return submit(draft -> SubmissionReader.readJson(body, draft));
    }

    public Accepted submitNdjson(InputStream body) {
        return submit(draft -> SubmissionReader.readNdjson(body, draft));
    }

    /** Submits a batch whose header and items come from code rather than a request body. */
    Accepted submit(Consumer<BatchDraft> source) {
        UUID batchId = TimeOrderedIds.next();
        Accepted accepted = transaction.execute(status -> {
            Connection connection = DataSourceUtils.getConnection(dataSource);
            try (BatchDraft draft = new BatchDraft(batchId, connection, validator, limits)) {
                source.accept(draft);
                int total = draft.finish();
                BatchOptions options = draft.options();
                jdbc.sql(INSERT_BATCH)
                        .param("id", batchId)
                        .param("creator", draft.creator())
                        .param("operation", draft.requireOperation().name())
                        .param("options", ItemValidator.STRICT.writeValueAsString(options))
                        .param("metadata", draft.metadata() == null ? null : ItemValidator.STRICT.writeValueAsString(draft.metadata()))
                        .param("total", total)
                        .param("timeoutSeconds", options.timeoutSeconds())
                        .update();
                return new Accepted(batchId, BatchStatus.PENDING, total, draft.requireOperation().name());
            } catch (SQLException e) {
                throw new IllegalStateException("storing batch " + batchId + " failed", e);
            } finally {
                DataSourceUtils.releaseConnection(connection, dataSource);
            }
        });
        meters.counter("batchline.batches.submitted", "operation", accepted.operation()).increment();
        meters.counter("batchline.items.submitted", "operation", accepted.operation()).increment(accepted.totalItems());
        dispatcher.dispatchSoon(batchId);
        return accepted;
    }
}
