package io.batchline.api.callback;

import io.batchline.api.support.StatusSql;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Writes the callback of an ended batch, in the caller's transaction (the one that ended it). */
@Component
public class CallbackOutbox {

    static final String ENQUEUE = StatusSql.render("""
            INSERT INTO callback_outbox (batch_id, url, tenant)
            SELECT id, options->>'callbackUrl', creator FROM batches
             WHERE id = :id AND options->>'callbackUrl' IS NOT NULL
               AND status IN ({TERMINAL})
            ON CONFLICT (batch_id) DO NOTHING
            """);
    static final String REQUEUE_AFTER_RETRY_ROUND = """
            DELETE FROM callback_outbox WHERE batch_id = :id
            """;

    private final JdbcClient jdbc;

    CallbackOutbox(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Enqueues the batch's callback if it has a callback URL and has ended. */
    public void batchEnded(UUID batchId) {
        jdbc.sql(ENQUEUE).param("id", batchId).update();
    }

    /** A retry round re-opens the batch: its next end gets a callback of its own. */
    public void batchReopened(UUID batchId) {
        jdbc.sql(REQUEUE_AFTER_RETRY_ROUND).param("id", batchId).update();
    }
}
