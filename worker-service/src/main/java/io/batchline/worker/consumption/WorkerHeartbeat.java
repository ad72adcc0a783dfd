package io.batchline.worker.consumption;

import io.batchline.support.SqlArrays;
import io.batchline.worker.operations.OperationHandler;
import java.sql.Timestamp;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Says every {@code WORKER_HEARTBEAT_INTERVAL} (5 s) that this worker is alive and what it
 * holds ({@link WorkerActivity}): one upsert of its row in {@code worker.heartbeats}, which
 * also deletes the rows of workers not seen for an hour. The API's {@code GET /api/workers}
 * reads the table. A heartbeat that cannot be written is skipped (the worker is not less
 * alive for it); a worker that stops cleanly deletes its row.
 */
@Component
class WorkerHeartbeat implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(WorkerHeartbeat.class);

    static final String BEAT = """
            WITH forgotten AS (
                DELETE FROM worker.heartbeats WHERE seen_at < now() - :keepMs * interval '1 millisecond' AND worker <> :worker)
            INSERT INTO worker.heartbeats AS h (worker, started_at, seen_at, operations, in_flight_chunks, in_flight_items,
                                               in_flight, batches, items_total, version)
            VALUES (:worker, :startedAt, now(), CAST(:operations AS text[]), :chunks, :items, CAST(:inFlight AS jsonb),
                    CAST(:batches AS uuid[]), :itemsTotal, :version)
            ON CONFLICT (worker) DO UPDATE
               SET started_at = EXCLUDED.started_at, seen_at = EXCLUDED.seen_at, operations = EXCLUDED.operations,
                   in_flight_chunks = EXCLUDED.in_flight_chunks, in_flight_items = EXCLUDED.in_flight_items,
                   in_flight = EXCLUDED.in_flight, batches = EXCLUDED.batches, items_total = EXCLUDED.items_total,
                   version = EXCLUDED.version
            """;
    static final String FORGET = "DELETE FROM worker.heartbeats WHERE worker = :worker";

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final WorkerActivity activity;
    private final HeartbeatSettings settings;
    private final String worker = ActivityNotes.workerName();
    private final String[] operations;
    private final String version;
    private volatile boolean failing;

    WorkerHeartbeat(JdbcClient jdbc, JsonMapper json, WorkerActivity activity, HeartbeatSettings settings,
                    List<OperationHandler<?>> handlers, WorkerSettings workerSettings) {
        this.jdbc = jdbc;
        this.json = json;
        this.activity = activity;
        this.settings = settings;
        this.operations = handlers.stream().map(h -> h.operation().name()).filter(workerSettings::consumes).sorted()
                .toArray(String[]::new);
        String implementation = WorkerHeartbeat.class.getPackage().getImplementationVersion();
        this.version = implementation == null ? "dev" : implementation;
    }

    String worker() {
        return worker;
    }

    @Scheduled(fixedDelayString = "${worker.heartbeat.interval:5s}")
    void beat() {
        WorkerActivity.Snapshot now = activity.snapshot();
        try {
            jdbc.sql(BEAT)
                    .param("keepMs", settings.keep().toMillis())
                    .param("worker", worker)
                    .param("startedAt", Timestamp.from(now.startedAt()))
                    .param("operations", SqlArrays.of("text", operations))
                    .param("chunks", now.chunks())
                    .param("items", now.items())
                    .param("inFlight", json.writeValueAsString(now.byOperation()))
                    .param("batches", SqlArrays.of("uuid", now.batches().toArray(UUID[]::new)))
                    .param("itemsTotal", now.itemsTaken())
                    .param("version", version)
                    .update();
            if (failing) {
                failing = false;
                log.info("Heartbeats written again");
            }
        } catch (DataAccessException e) {
            if (!failing) {
                failing = true;
                log.warn("Could not write this worker's heartbeat ({}); it is shown as gone until the next one succeeds",
                        e.getMessage());
            }
        }
    }

    @Override
    public void destroy() {
        try {
            jdbc.sql(FORGET).param("worker", worker).update();
        } catch (DataAccessException e) {
            log.debug("Could not delete this worker's heartbeat at shutdown: {}", e.getMessage());
        }
    }
}
