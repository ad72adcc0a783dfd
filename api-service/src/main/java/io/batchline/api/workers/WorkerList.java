package io.batchline.api.workers;

import io.batchline.api.security.Caller;
import io.batchline.support.SqlArrays;
import java.sql.Array;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/workers}: every worker that wrote a heartbeat in the last hour, alive if
 * seen within {@link #ALIVE_WITHIN}, with what it holds. Workers are shared by every tenant:
 * a submitter sees them all, with their load, but among the batches they hold only its own
 * tenant's. Until the first worker has started (and created the {@code worker} schema) the
 * list is empty.
 */
@RestController
class WorkerList {

    /** A worker writes every 5 s: three missed heartbeats and more make it gone. */
    static final Duration ALIVE_WITHIN = Duration.ofSeconds(30);

    static final String WORKERS = """
            SELECT worker, started_at, seen_at, operations, in_flight_chunks, in_flight_items, in_flight::text AS in_flight,
                   batches, items_total, version, now() AS db_now
              FROM worker.heartbeats
             WHERE seen_at > now() - interval '1 hour'
             ORDER BY worker
            """;
    static final String OWN_BATCHES = "SELECT id FROM batches WHERE id = ANY(CAST(:ids AS uuid[])) AND creator = :tenant";

    /** PostgreSQL's "relation does not exist" and "schema does not exist". */
    private static final Set<String> MISSING_TABLE = Set.of("42P01", "3F000");

    /** One worker as {@code GET /api/workers} shows it. */
    record WorkerView(String worker, String state, Instant startedAt, Instant seenAt, long secondsSinceSeen,
                      List<String> operations, InFlight inFlight, List<UUID> batches, long itemsTaken, @Nullable String version) {
    }

    /** Chunks and items in hand, in total and per operation. */
    record InFlight(int chunks, int items, JsonNode byOperation) {
    }

    private final JdbcClient jdbc;
    private final JsonMapper json;

    WorkerList(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    @GetMapping("/api/workers")
    Map<String, Object> workers(Caller caller) {
        List<WorkerView> workers = read();
        if (!caller.isAdmin()) {
            workers = ownBatchesOnly(workers, caller.tenant());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("alive", workers.stream().filter(w -> w.state().equals("alive")).count());
        body.put("gone", workers.stream().filter(w -> w.state().equals("gone")).count());
        body.put("data", workers);
        return body;
    }

    private List<WorkerView> read() {
        try {
            return jdbc.sql(WORKERS).query((rs, n) -> {
                Instant seen = rs.getTimestamp("seen_at").toInstant();
                Instant dbNow = rs.getTimestamp("db_now").toInstant();
                long since = Math.max(0, Duration.between(seen, dbNow).toSeconds());
                return new WorkerView(rs.getString("worker"), since < ALIVE_WITHIN.toSeconds() ? "alive" : "gone",
                        rs.getTimestamp("started_at").toInstant(), seen, since,
                        List.of((String[]) array(rs.getArray("operations"))),
                        new InFlight(rs.getInt("in_flight_chunks"), rs.getInt("in_flight_items"), json.readTree(rs.getString("in_flight"))),
                        List.of((UUID[]) array(rs.getArray("batches"))), rs.getLong("items_total"), rs.getString("version"));
            }).list();
        } catch (DataAccessException e) {
            if (isMissingTable(e)) {
                return List.of(); // no worker has started yet: the workers create their schema
            }
            throw e;
        }
    }

    private static Object[] array(Array array) throws SQLException {
        return (Object[]) array.getArray();
    }

    private List<WorkerView> ownBatchesOnly(List<WorkerView> workers, String tenant) {
        Set<UUID> held = new HashSet<>();
        workers.forEach(w -> held.addAll(w.batches()));
        Set<UUID> own = held.isEmpty() ? Set.of() : new HashSet<>(jdbc.sql(OWN_BATCHES)
                .param("ids", SqlArrays.of("uuid", held.toArray(UUID[]::new))).param("tenant", tenant).query(UUID.class).list());
        List<WorkerView> shown = new ArrayList<>(workers.size());
        for (WorkerView w : workers) {
            shown.add(new WorkerView(w.worker(), w.state(), w.startedAt(), w.seenAt(), w.secondsSinceSeen(), w.operations(),
                    w.inFlight(), w.batches().stream().filter(own::contains).toList(), w.itemsTaken(), w.version()));
        }
        return shown;
    }

    private static boolean isMissingTable(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null && MISSING_TABLE.contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
