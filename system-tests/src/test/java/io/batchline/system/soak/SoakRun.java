package io.batchline.system.soak;

import io.batchline.system.BatchlineStack;
import io.batchline.system.ServiceProcess;
import io.batchline.testing.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import tools.jackson.databind.JsonNode;

/**
 * One randomized fault soak: an API and N workers as OS processes, a seeded stream of
 * batches submitted through the API (with idempotency keys, retried across outages), seeded
 * faults one at a time (kill -9 / SIGTERM of a worker or the API, broker and database
 * outages), every batch polled until it ends; then the faults stop, every service is
 * brought back, every batch is awaited, and {@link SoakChecker} checks "nothing lost,
 * counted once, final when terminal".
 */
public final class SoakRun {

    private final SoakSettings settings;
    private final List<TrackedBatch> tracked = new CopyOnWriteArrayList<>();
    private final AtomicInteger faultsInjected = new AtomicInteger();
    /** Submissions that never got their 202: refused, or still failing when the soak gave up on them. */
    private final List<String> unaccepted = new CopyOnWriteArrayList<>();
    private final ReentrantLock apiLock = new ReentrantLock();
    private final Map<String, Instant> lastStart = new java.util.concurrent.ConcurrentHashMap<>();
    private final Set<String> expectedDeaths = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;
    private volatile boolean brokerDown;
    private volatile boolean databaseDown;
    private volatile boolean closing;
    private EventLog log;
    private BatchlineStack stack;
    private SoakApi api;

    public SoakRun(SoakSettings settings) {
        this.settings = settings;
    }

    /** Runs the soak and returns what the checker found (the RESULT line and the violations). */
    public SoakReport run() throws Exception {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path logFile = settings.outputDir().resolve("soak-" + settings.seed() + "-" + stamp + ".log");
        try (EventLog eventLog = new EventLog(logFile); CallbackReceiver receiver = new CallbackReceiver(settings.seed(), eventLog)) {
            this.log = eventLog;
            TestServices services = TestServices.get();
            log.log("SOAK", "seed=" + settings.seed() + " minutes=" + settings.minutesText() + " workers=" + settings.workers()
                    + " (replay: deploy/chaos/soak.sh --seed " + settings.seed() + " --minutes " + settings.minutesText() + ")");
            log.log("SOAK", "event log " + logFile.toAbsolutePath() + "; RabbitMQ " + services.rabbit().host() + ":"
                    + services.rabbit().port() + " vhost " + services.rabbit().vhost() + "; PostgreSQL " + services.postgres().host()
                    + ":" + services.postgres().port() + "/" + services.postgres().database());
            Map<String, String> environment = new LinkedHashMap<>();
            environment.put("BATCH_MAX_ITEMS", "10000");
            // the allow-list names hosts; host:port too, in case it learns ports
            environment.put("BATCH_OUTBOUND_ALLOWED_HOSTS", receiver.host() + "," + receiver.host() + ":" + receiver.port());
            environment.put("BATCH_CALLBACK_FIRST_RETRY", "500ms");
            environment.put("BATCH_DISPATCH_LEASE", "5s");
            environment.put("BATCH_DISPATCH_RECOVERY_INTERVAL", "1s");
            environment.put("WORKER_BCRYPT_STRENGTH", "4");
            stack = new BatchlineStack(environment);
            ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, Thread.ofPlatform().daemon().name("soak-timer-", 0).factory());
            List<Thread> threads = new ArrayList<>();
            Thread injector = null;
            try {
                stack.startApi();
                for (int i = 0; i < settings.workers(); i++) {
                    stack.startWorker();
                }
                log.log("SERVICE", "API " + stack.api() + " pid " + stack.api().pid() + "; workers "
                        + stack.workers().stream().map(w -> w.name() + " pid " + w.pid()).toList());
                seedCatalog();
                api = new SoakApi(stack::api, BatchlineStack.ADMIN_KEY);
                String tenant = "soak-" + Long.toHexString(settings.seed());
                api.useKey(createSubmitterKey(tenant));

                Workload workload = new Workload(settings.seed(), receiver.baseUrl());
                FaultSchedule faults = new FaultSchedule(settings.seed(), settings.workers());
                Instant end = Instant.now().plus(settings.duration());
                threads.add(Thread.ofPlatform().daemon().name("soak-supervisor").start(this::supervise));
                threads.add(Thread.ofPlatform().daemon().name("soak-poller").start(this::poll));
                injector = Thread.ofPlatform().daemon().name("soak-faults").start(() -> injectFaults(faults));
                Thread submitter = Thread.ofPlatform().daemon().name("soak-submitter").start(() -> submit(workload, timers, end));

                sleepUntil(end);
                running = false;
                log.log("SOAK", "time is up: no new batches, no new faults, no new cancels or retries");
                submitter.join(Duration.ofMinutes(4));
                injector.join(Duration.ofMinutes(3));
                ensureServicesUp();
                settle();
                awaitCallbacks();
                List<String> leftovers = awaitQueuesDrained();
                closing = true;
                SoakChecker checker = new SoakChecker(settings, log, stack, receiver, tenant);
                SoakReport report = checker.check(List.copyOf(tracked), faultsInjected.get(), leftovers, List.copyOf(unaccepted));
                writeResult(report);
                return report;
            } finally {
                closing = true;
                running = false;
                timers.shutdownNow();
                threads.forEach(Thread::interrupt);
                if (injector != null) {
                    // not interrupted: a fault in progress brings its service back by itself
                    injector.join(Duration.ofMinutes(2));
                }
                try {
                    restoreServices();
                } finally {
                    stack.close();
                }
            }
        }
    }

    // ---------------------------------------------------------------- setup

    /** Content rows and users the catalog operations work on (the worker created the schema). */
    private void seedCatalog() throws SQLException {
        try (Connection connection = TestServices.get().openConnection()) {
            try (PreparedStatement statement = connection.prepareStatement("""
                    INSERT INTO catalog.content (id, creator, title, price)
                    SELECT 'soak-c-' || g, 'soak', 'Soak content ' || g, 1 FROM generate_series(0, ? - 1) g
                    ON CONFLICT DO NOTHING
                    """)) {
                statement.setInt(1, Workload.CONTENT_ROWS);
                statement.executeUpdate();
            }
            try (PreparedStatement statement = connection.prepareStatement("""
                    INSERT INTO catalog.users (id, email, name, password_hash)
                    SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[], ?::text[]) ON CONFLICT DO NOTHING
                    """)) {
                List<Workload.PoolUser> pool = Workload.poolUsers(settings.seed());
                statement.setArray(1, connection.createArrayOf("uuid", pool.stream().map(Workload.PoolUser::id).toArray()));
                statement.setArray(2, connection.createArrayOf("text", pool.stream().map(Workload.PoolUser::email).toArray()));
                statement.setArray(3, connection.createArrayOf("text", pool.stream().map(u -> "Pool user " + u.email()).toArray()));
                statement.setArray(4, connection.createArrayOf("text", pool.stream().map(u -> "not-a-real-hash").toArray()));
                statement.executeUpdate();
            }
        }
        log.log("SOAK", "seeded " + Workload.CONTENT_ROWS + " catalog.content rows and " + Workload.POOL_USERS + " catalog.users");
    }

    private String createSubmitterKey(String tenant) {
        SoakApi.Reply reply = api.post("/api/admin/keys", "{\"tenant\":\"" + tenant + "\",\"role\":\"submitter\"}", null);
        if (reply.status() != 201) {
            throw new IllegalStateException("could not create the soak's API key: " + reply.describe());
        }
        log.log("SOAK", "submitting as tenant " + tenant);
        return reply.body().get("key").asString();
    }

    // ---------------------------------------------------------------- workload

    private void submit(Workload workload, ScheduledExecutorService timers, Instant end) {
        try {
            while (running) {
                Workload.BatchSpec spec = workload.next();
                if (!sleepWhileRunning(spec.gapBeforeMs())) {
                    break;
                }
                submitOne(spec, timers, end.plus(Duration.ofMinutes(3)));
            }
        } catch (RuntimeException e) {
            log.log("PROBLEM", "submitter stopped: " + e);
        }
    }

    /** Submits until a 202 (or the idempotent replay of an earlier attempt's 202) arrives, with the same key each time. */
    private void submitOne(Workload.BatchSpec spec, ScheduledExecutorService timers, Instant giveUpAt) {
        int attempt = 0;
        while (true) {
            attempt++;
            SoakApi.Reply reply = api.post("/api/batches", spec.body(), spec.idempotencyKey());
            if (reply.status() == 202 || reply.status() == 200 && reply.replayed()) {
                UUID id = UUID.fromString(reply.body().get("batchId").asString());
                TrackedBatch batch = new TrackedBatch(spec, id, Instant.now(), reply.status() == 200);
                tracked.add(batch);
                log.log("SUBMIT", "accepted " + batch.label() + " after " + attempt + " attempt(s)"
                        + (batch.acceptedByReplay ? " (idempotent replay: an earlier attempt had been stored)" : ""));
                if (spec.cancelAfterMs() >= 0) {
                    timers.schedule(() -> cancel(batch, 1, timers), spec.cancelAfterMs(), TimeUnit.MILLISECONDS);
                }
                return;
            }
            boolean transientFailure = !reply.answered() || reply.status() >= 500 || reply.status() == 429;
            if (!transientFailure) {
                log.log("PROBLEM", "submission #" + spec.number() + " (" + spec.summary() + ") refused: " + reply.describe());
                unaccepted.add("#" + spec.number() + " (" + spec.summary() + ", key " + spec.idempotencyKey() + ") refused: "
                        + reply.describe());
                return;
            }
            if (Instant.now().isAfter(giveUpAt)) {
                log.log("PROBLEM", "submission #" + spec.number() + " never accepted after " + attempt + " attempts; last: "
                        + reply.describe());
                unaccepted.add("#" + spec.number() + " (" + spec.summary() + ", key " + spec.idempotencyKey()
                        + ") never accepted after " + attempt + " attempts; last: " + reply.describe());
                return;
            }
            if (attempt == 1 || attempt % 10 == 0) {
                log.log("SUBMIT", "#" + spec.number() + " attempt " + attempt + " failed, retrying with key "
                        + spec.idempotencyKey() + ": " + reply.describe());
            }
            sleep(reply.status() == 429 ? 2_000 : 1_000);
        }
    }

    private void cancel(TrackedBatch batch, int attempt, ScheduledExecutorService timers) {
        if (!running) {
            log.log("ACTION", "cancel of " + batch.id + " skipped: the soak's time is up");
            return;
        }
        SoakApi.Reply reply = api.post("/api/batches/" + batch.id + "/cancel", null, null);
        if (reply.status() == 202) {
            batch.cancelRequested = true;
            log.log("ACTION", "cancelled " + batch.label() + ": " + reply.describe());
        } else if (reply.status() == 409) {
            log.log("ACTION", "cancel of " + batch.id + " refused, it had ended: " + reply.describe());
        } else if ((reply.notSent() || reply.status() >= 500) && attempt < 30) {
            timers.schedule(() -> cancel(batch, attempt + 1, timers), 1, TimeUnit.SECONDS);
        } else {
            batch.cancelRequested = true;
            log.log("ACTION", "cancel of " + batch.id + " may or may not have happened: " + reply.describe());
        }
    }

    // ---------------------------------------------------------------- observation

    /** About once a second, GET every running batch (and every ended one every 5 s, to see it stays as it ended). */
    private void poll() {
        while (!closing) {
            long started = System.nanoTime();
            for (TrackedBatch batch : tracked) {
                if (closing) {
                    return;
                }
                try {
                    pollOne(batch);
                } catch (RuntimeException e) {
                    log.log("PROBLEM", "polling " + batch.id + " failed: " + e);
                }
            }
            long tookMs = (System.nanoTime() - started) / 1_000_000;
            if (!sleepQuietly(Math.max(100, 1_000 - tookMs))) {
                return;
            }
        }
    }

    private void pollOne(TrackedBatch batch) {
        Instant now = Instant.now();
        TrackedBatch.Observation snapshot = batch.snapshot;
        if (snapshot != null && batch.retryDue == null && batch.lastPolled.plusSeconds(5).isAfter(now)) {
            return;
        }
        SoakApi.Reply reply = api.get("/api/batches/" + batch.id);
        if (reply.status() != 200 || reply.body() == null) {
            return;
        }
        batch.lastPolled = now;
        TrackedBatch.Observation seen = TrackedBatch.Observation.of(reply.body());
        if (seen.terminal()) {
            if (snapshot == null) {
                batch.snapshot = seen;
                batch.lastChange = null;
                batch.itemSnapshot = itemStatuses(batch.id);
                log.log("TERMINAL", batch.id + " " + seen.describe() + " (#" + batch.spec.number() + ", round "
                        + batch.retriesDone + ")");
                if (running && batch.retriesLeft > 0 && seen.failed() > 0) {
                    batch.retryDue = now.plusMillis(batch.spec.retryDelayMs());
                }
            } else if (!seen.sameState(snapshot)) {
                reportChange(batch, snapshot, seen);
            }
            Instant due = batch.retryDue;
            if (due != null && !now.isBefore(due)) {
                if (running) {
                    retry(batch);
                } else {
                    batch.retryDue = null;
                }
            }
        } else if (snapshot != null) {
            reportChange(batch, snapshot, seen);
        }
    }

    /** Every item's status now, or null if the database cannot be read. */
    static Map<Integer, String> itemStatuses(UUID batch) {
        try (Connection connection = TestServices.get().openConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT seq, status FROM batch_items WHERE batch_id = ?")) {
            statement.setObject(1, batch);
            Map<Integer, String> statuses = new java.util.HashMap<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    statuses.put(rs.getInt(1), rs.getString(2));
                }
            }
            return statuses;
        } catch (SQLException e) {
            return null;
        }
    }

    private void reportChange(TrackedBatch batch, TrackedBatch.Observation snapshot, TrackedBatch.Observation seen) {
        TrackedBatch.Observation last = batch.lastChange;
        if (last != null && last.sameState(seen)) {
            return;
        }
        batch.lastChange = seen;
        int items = batch.recordChangedItems(itemStatuses(batch.id));
        String change = "was " + snapshot.describe() + " at " + snapshot.at() + ", then " + seen.describe() + " at " + seen.at()
                + " without a retry by the soak (" + items + " items changed status)";
        batch.changes.add(change);
        log.log("CHANGED", batch.label() + ": " + change);
    }

    /** Retries an ended batch's failed items; its snapshot is dropped, as a retry legitimately reopens it. */
    private void retry(TrackedBatch batch) {
        SoakApi.Reply reply = api.post("/api/batches/" + batch.id + "/retry", null, null);
        if (reply.status() == 202) {
            batch.snapshot = null;
            batch.itemSnapshot = null;
            batch.lastChange = null;
            batch.retriesLeft--;
            batch.retriesDone++;
            batch.retryDue = null;
            log.log("ACTION", "retried " + batch.label() + " (round " + batch.retriesDone + "): " + reply.describe());
        } else if (reply.status() == 409 || reply.status() == 404) {
            batch.retryDue = null;
            log.log("ACTION", "retry of " + batch.id + " refused: " + reply.describe());
        } else if (reply.notSent() || reply.answered()) {
            batch.retryDue = Instant.now().plusSeconds(2);
        } else {
            // it may have reached the API: treat the batch as reopened (a fresh snapshot is taken when it ends)
            batch.snapshot = null;
            batch.itemSnapshot = null;
            batch.lastChange = null;
            batch.retriesLeft--;
            batch.retriesDone++;
            batch.retryDue = null;
            log.log("ACTION", "retry of " + batch.id + " may or may not have happened: " + reply.describe());
        }
    }

    // ---------------------------------------------------------------- faults

    private void injectFaults(FaultSchedule schedule) {
        while (running) {
            FaultSchedule.Fault fault = schedule.next();
            if (!sleepWhileRunning(fault.gapMs())) {
                return;
            }
            long started = System.nanoTime();
            log.log("FAULT", "start " + fault.describe());
            try {
                inject(fault);
                faultsInjected.incrementAndGet();
                log.log("FAULT", "end   " + fault.describe() + " after " + (System.nanoTime() - started) / 1_000_000 + " ms");
            } catch (RuntimeException e) {
                faultsInjected.incrementAndGet();
                log.log("PROBLEM", "fault " + fault.describe() + " did not go as planned: " + e);
            }
        }
    }

    private void inject(FaultSchedule.Fault fault) {
        TestServices.Outages outages = TestServices.get().outages();
        switch (fault.kind()) {
            case KILL_WORKER, TERM_WORKER -> {
                ServiceProcess worker = stack.workers().get(fault.worker());
                expectedDeaths.add(worker.name());
                long pid = worker.pid();
                if (fault.kind() == FaultSchedule.Kind.KILL_WORKER) {
                    worker.kill();
                    log.log("FAULT", "killed " + worker.name() + " pid " + pid);
                } else {
                    boolean graceful = worker.stop();
                    log.log("FAULT", worker.name() + " pid " + pid + (graceful ? " exited after SIGTERM"
                            : " did not exit within 40 s of SIGTERM and was killed"));
                }
            }
            case KILL_API, TERM_API -> {
                boolean graceful = fault.kind() == FaultSchedule.Kind.TERM_API;
                ServiceProcess replacement;
                apiLock.lock();
                try {
                    long pid = stack.api().pid();
                    replacement = stack.stopAndReplaceApi(graceful);
                    log.log("FAULT", (graceful ? "stopped (SIGTERM)" : "killed") + " API pid " + pid + "; started " + replacement
                            + " pid " + replacement.pid());
                    lastStart.put("api", Instant.now());
                } finally {
                    apiLock.unlock();
                }
                awaitHealthy(replacement);
            }
            case BROKER_OUTAGE -> {
                brokerDown = true;
                outages.stopBroker();
                try {
                    sleep(fault.downMs());
                } finally {
                    startBroker();
                }
            }
            case DATABASE_OUTAGE -> {
                databaseDown = true;
                outages.stopDatabase();
                try {
                    sleep(fault.downMs());
                } finally {
                    startDatabase();
                }
            }
        }
    }

    private void startBroker() {
        brokerDown = !restart("RabbitMQ", () -> TestServices.get().outages().startBroker());
    }

    private void startDatabase() {
        databaseDown = !restart("PostgreSQL", () -> TestServices.get().outages().startDatabase());
    }

    /** Starts a stopped service, up to five tries 5 s apart; whether it came back. */
    private boolean restart(String service, Runnable start) {
        for (int attempt = 1; attempt <= 5; attempt++) {
            try {
                start.run();
                log.log("SERVICE", service + " is back");
                return true;
            } catch (RuntimeException e) {
                log.log("PROBLEM", "starting " + service + " failed (attempt " + attempt + "): " + e.getMessage());
                sleep(5_000);
            }
        }
        return false;
    }

    private boolean awaitHealthy(ServiceProcess process) {
        try {
            process.awaitHealthy();
            log.log("SERVICE", process.name() + " pid " + process.pid() + " is healthy");
            return true;
        } catch (RuntimeException e) {
            log.log("PROBLEM", process.name() + " did not become healthy: " + e.getMessage());
            return false;
        }
    }

    /** Restarts dead workers (as compose's restart policy would) and a dead API, at most every 3 s each. */
    private void supervise() {
        while (!closing) {
            for (ServiceProcess worker : stack.workers()) {
                if (!worker.isAlive() && !closing && startedLongEnoughAgo(worker.name())) {
                    boolean expected = expectedDeaths.remove(worker.name());
                    worker.start();
                    lastStart.put(worker.name(), Instant.now());
                    log.log(expected ? "SERVICE" : "PROBLEM", "restarted " + worker.name() + " as pid " + worker.pid()
                            + (expected ? "" : " (it died without a fault; see " + worker.log() + ")"));
                }
            }
            if (!stack.api().isAlive() && !closing && startedLongEnoughAgo("api") && apiLock.tryLock()) {
                try {
                    if (!stack.api().isAlive()) {
                        ServiceProcess replacement = stack.stopAndReplaceApi(false);
                        lastStart.put("api", Instant.now());
                        log.log("PROBLEM", "the API died without a fault; started " + replacement + " pid " + replacement.pid());
                    }
                } finally {
                    apiLock.unlock();
                }
            }
            if (!sleepQuietly(1_000)) {
                return;
            }
        }
    }

    private boolean startedLongEnoughAgo(String name) {
        Instant last = lastStart.get(name);
        return last == null || last.plusSeconds(3).isBefore(Instant.now());
    }

    // ---------------------------------------------------------------- the end

    /** Both services up and every process running and healthy. */
    private void ensureServicesUp() {
        if (brokerDown) {
            startBroker();
        }
        if (databaseDown) {
            startDatabase();
        }
        for (int attempt = 1; attempt <= 3; attempt++) {
            boolean allHealthy = true;
            for (ServiceProcess worker : stack.workers()) {
                allHealthy &= awaitHealthy(worker);
            }
            allHealthy &= awaitHealthy(stack.api());
            if (allHealthy) {
                break;
            }
            sleep(5_000);
        }
        log.log("SOAK", "faults injected: " + faultsInjected.get() + "; every service is up; waiting for every batch to end");
    }

    private void restoreServices() {
        try {
            if (brokerDown) {
                startBroker();
            }
            if (databaseDown) {
                startDatabase();
            }
        } catch (RuntimeException e) {
            log.log("PROBLEM", "could not restore the services: " + e);
        }
    }

    /**
     * Waits until every accepted batch is terminal (in the database, and seen so by the
     * poller), at most the settle timeout, and gives up early when no unfinished batch moved
     * for the stagnation period.
     */
    private void settle() {
        Instant deadline = Instant.now().plus(settings.settleTimeout());
        Instant lastProgress = Instant.now();
        Map<UUID, String> lastState = Map.of();
        while (true) {
            Map<UUID, String> unfinished;
            try {
                unfinished = unfinishedBatches();
            } catch (SQLException e) {
                log.log("PROBLEM", "settle query failed: " + e.getMessage());
                sleep(2_000);
                continue;
            }
            if (unfinished.isEmpty()) {
                log.log("SOAK", "every batch has ended (" + tracked.size() + ")");
                return;
            }
            if (!unfinished.equals(lastState)) {
                lastState = unfinished;
                lastProgress = Instant.now();
            }
            if (Instant.now().isAfter(deadline)) {
                log.log("SOAK", unfinished.size() + " batches still unfinished after " + settings.settleTimeout().toSeconds()
                        + " s: " + unfinished);
                return;
            }
            if (Duration.between(lastProgress, Instant.now()).compareTo(settings.stagnation()) > 0) {
                log.log("SOAK", unfinished.size() + " batches did not move for " + settings.stagnation().toSeconds()
                        + " s; not waiting longer: " + unfinished);
                return;
            }
            sleep(2_000);
        }
    }

    /** Batches not terminal in the database (or not yet seen terminal by the poller), with their status and how many items ended. */
    private Map<UUID, String> unfinishedBatches() throws SQLException {
        Map<UUID, String> unfinished = new java.util.TreeMap<>();
        List<UUID> ids = tracked.stream().map(b -> b.id).toList();
        try (Connection connection = TestServices.get().openConnection();
             PreparedStatement statement = connection.prepareStatement("""
                     SELECT id, status, succeeded + failed + cancelled + timed_out FROM batches WHERE id = ANY(?)
                     """)) {
            Array array = connection.createArrayOf("uuid", ids.toArray());
            statement.setArray(1, array);
            Set<UUID> found = new java.util.HashSet<>();
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    found.add(id);
                    if (!TrackedBatch.TERMINAL.contains(rs.getString(2))) {
                        unfinished.put(id, rs.getString(2) + " ended=" + rs.getInt(3));
                    }
                }
            }
            for (UUID id : ids) {
                if (!found.contains(id)) {
                    unfinished.put(id, "missing from the batches table");
                }
            }
        }
        for (TrackedBatch batch : tracked) {
            if (batch.snapshot == null) {
                unfinished.putIfAbsent(batch.id, "ended, not yet seen so by the poller");
            }
        }
        return unfinished;
    }

    /** Waits (at most 150 s) until the callback of every ended batch was delivered or given up. */
    private void awaitCallbacks() {
        Instant deadline = Instant.now().plusSeconds(150);
        while (true) {
            List<UUID> waiting = new ArrayList<>();
            try (Connection connection = TestServices.get().openConnection();
                 PreparedStatement statement = connection.prepareStatement("""
                         SELECT b.id FROM batches b LEFT JOIN callback_outbox o ON o.batch_id = b.id
                          WHERE b.id = ANY(?) AND b.status IN ('completed', 'failed', 'cancelled', 'timed_out')
                            AND (o.batch_id IS NULL OR (o.delivered_at IS NULL AND o.gave_up_at IS NULL))
                         """)) {
                statement.setArray(1, connection.createArrayOf("uuid", tracked.stream().map(b -> b.id).toArray()));
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        waiting.add(rs.getObject(1, UUID.class));
                    }
                }
            } catch (SQLException e) {
                log.log("PROBLEM", "callback query failed: " + e.getMessage());
            }
            if (waiting.isEmpty()) {
                log.log("SOAK", "every ended batch's callback was delivered (or given up)");
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                log.log("SOAK", waiting.size() + " ended batches still owe their callback: " + waiting);
                return;
            }
            sleep(2_000);
        }
    }

    /**
     * Waits (at most 150 s: the longest retry tier used is 30 s, and the management API's
     * figures lag by a few seconds) until every queue except the dead-letter queues and
     * {@code batch.dead.results} is empty; returns what is still left.
     */
    private List<String> awaitQueuesDrained() {
        Instant deadline = Instant.now().plusSeconds(150);
        List<String> leftovers = List.of();
        Instant emptySince = null;
        while (true) {
            try {
                leftovers = new ArrayList<>();
                for (JsonNode queue : stack.queues()) {
                    String name = queue.path("name").asString();
                    int ready = queue.path("messages_ready").asInt(0);
                    int unacked = queue.path("messages_unacknowledged").asInt(0);
                    if (!SoakChecker.isParkingQueue(name) && ready + unacked > 0) {
                        leftovers.add(name + " holds " + (ready + unacked) + " messages (ready " + ready + ", unacked " + unacked + ")");
                    }
                }
                if (leftovers.isEmpty()) {
                    // the management API's figures lag a few seconds: only two empty looks 6 s apart count
                    if (emptySince != null && emptySince.plusSeconds(6).isBefore(Instant.now())) {
                        log.log("SOAK", "every queue but the dead-letter queues is empty");
                        return leftovers;
                    }
                    if (emptySince == null) {
                        emptySince = Instant.now();
                    }
                } else {
                    emptySince = null;
                }
            } catch (RuntimeException e) {
                log.log("PROBLEM", "queue listing failed: " + e.getMessage());
            }
            if (Instant.now().isAfter(deadline)) {
                log.log("SOAK", "queues still holding messages: " + leftovers);
                return leftovers;
            }
            sleep(3_000);
        }
    }

    private void writeResult(SoakReport report) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(report.resultLine());
        report.violations().forEach(v -> lines.add(v.toString()));
        log.raw(report.resultLine());
        report.violations().forEach(v -> log.raw("VIOLATION " + v));
        log.raw("event log: " + log.file().toAbsolutePath());
        String text = String.join("\n", lines) + "\n";
        Files.writeString(settings.outputDir().resolve("result-" + settings.seed() + ".txt"), text, StandardCharsets.UTF_8);
        Files.writeString(settings.outputDir().resolve("last-result.txt"), text + "event log: " + log.file().toAbsolutePath() + "\n",
                StandardCharsets.UTF_8);
        System.out.println(report.resultLine());
        report.violations().stream().limit(200).forEach(v -> System.out.println("  " + v));
        if (report.violations().size() > 200) {
            System.out.println("  … " + (report.violations().size() - 200) + " more in " + log.file().toAbsolutePath());
        }
    }

    // ---------------------------------------------------------------- time

    private void sleepUntil(Instant end) {
        while (Instant.now().isBefore(end)) {
            sleep(Math.min(1_000, Duration.between(Instant.now(), end).toMillis() + 1));
        }
    }

    /** Sleeps in small steps while the soak is running; false when its time ran out first. */
    private boolean sleepWhileRunning(long millis) {
        long until = System.nanoTime() + millis * 1_000_000;
        while (running) {
            long left = (until - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return true;
            }
            if (!sleepQuietly(Math.min(left, 250))) {
                return false;
            }
        }
        return false;
    }

    /**
     * Lets {@code millis} pass: an outage's planned length, the pace of the workload, a pause
     * before trying again. Nothing to wait for but the time itself (Awaitility's poll delay).
     */
    private static void sleep(long millis) {
        if (!sleepQuietly(millis)) {
            throw new IllegalStateException("interrupted");
        }
    }

    /** {@link #sleep}, false when the thread was interrupted (the soak is ending). */
    private static boolean sleepQuietly(long millis) {
        if (Thread.currentThread().isInterrupted()) {
            return false;
        }
        Duration pause = Duration.ofMillis(Math.max(1, millis));
        try {
            org.awaitility.Awaitility.await().pollDelay(pause).atMost(pause.plusSeconds(5)).until(() -> true);
            return true;
        } catch (RuntimeException e) {
            return !Thread.currentThread().isInterrupted();
        }
    }
}
