package io.batchline.api.stream;

import io.batchline.api.problem.BatchRejected;
import io.batchline.api.query.BatchSnapshots;
import io.batchline.api.security.Caller;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The open streams of this API instance and the one poller that feeds them. Every
 * {@code poll-interval} (250 ms) it reads, in one query, the status, round and ended items of
 * every batch somebody here is watching, and only for the batches that moved (and whose
 * streams may take an event: at most one per {@code min-event-interval}) the full view, in a
 * second query. Every {@code overview-interval} (1 s) it reads the running batches and the
 * counts per status of each watched tenant (all tenants for admins). So the cost follows the
 * number of watched batches and tenants, never the number of streams, and nothing depends on
 * which instance recorded the results: the database is the bus.
 */
@Component
class StreamHub implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(StreamHub.class);
    /** The scope of an admin's overview: every tenant. */
    private static final String ALL_TENANTS = "*";

    private final BatchSnapshots batches;
    private final JsonMapper json;
    private final StreamSettings settings;
    private final Map<UUID, Set<EventStream>> byBatch = new ConcurrentHashMap<>();
    private final Map<String, Set<EventStream>> byScope = new ConcurrentHashMap<>();
    private final Set<EventStream> all = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> perTenant = new ConcurrentHashMap<>();
    private final Map<String, Overview> overviews = new ConcurrentHashMap<>();
    // made at each start: a context can be stopped and started again (the test context cache pauses contexts)
    private volatile ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();
    private volatile @Nullable ScheduledExecutorService poller;
    private long nextOverviewNanos;
    private volatile boolean running;
    private volatile boolean failing;

    /** What the overview of one scope last was, and which ended batches it announced. */
    private static final class Overview {
        long sequence;
        @Nullable String signature;
        @Nullable String payload;
        Set<UUID> running = Set.of();
    }

    StreamHub(BatchSnapshots batches, JsonMapper json, StreamSettings settings, MeterRegistry meters) {
        this.batches = batches;
        this.json = json;
        this.settings = settings;
        Gauge.builder("batchline.streams.open", all, Set::size).description("open progress streams on this instance")
                .register(meters);
    }

    /** Opens a stream of one batch's progress; {@code lastSeen} is the state the client already has. */
    EventStream openBatch(Caller caller, UUID batchId, @Nullable EventId lastSeen) {
        EventStream stream = open(caller, batchId, null);
        stream.lastSent = lastSeen;
        byBatch.compute(batchId, (id, streams) -> {
            Set<EventStream> set = streams == null ? ConcurrentHashMap.newKeySet() : streams;
            set.add(stream);
            return set;
        });
        all.add(stream);
        return stream;
    }

    /** Opens a stream of the running batches the caller may see. */
    EventStream openOverview(Caller caller) {
        String scope = caller.isAdmin() ? ALL_TENANTS : caller.tenant();
        EventStream stream = open(caller, null, scope);
        byScope.compute(scope, (s, streams) -> {
            Set<EventStream> set = streams == null ? ConcurrentHashMap.newKeySet() : streams;
            set.add(stream);
            return set;
        });
        all.add(stream);
        return stream;
    }

    private EventStream open(Caller caller, @Nullable UUID batchId, @Nullable String scope) {
        AtomicInteger open = perTenant.computeIfAbsent(caller.tenant(), t -> new AtomicInteger());
        if (open.incrementAndGet() > settings.perTenant()) {
            open.decrementAndGet();
            long retryAfter = Math.max(1, settings.heartbeat().toSeconds());
            throw new BatchRejected(HttpStatus.TOO_MANY_REQUESTS, "too-many-streams", "Too many streams",
                    "tenant " + caller.tenant() + " already has " + settings.perTenant()
                            + " progress streams open on this instance (BATCH_STREAMS_PER_TENANT); close one, or try again in "
                            + retryAfter + " s", Map.of("retryAfterSeconds", retryAfter, "limit", settings.perTenant()));
        }
        // Tomcat's own async timeout only backs up the poller's max-duration close
        SseEmitter emitter = new SseEmitter(settings.maxDuration().plusSeconds(30).toMillis());
        long now = System.nanoTime();
        EventStream stream = new EventStream(emitter, caller.tenant(), batchId, scope, task -> writers.execute(task), this::release, now,
                settings.minEventInterval().toNanos());
        emitter.onCompletion(() -> release(stream));
        emitter.onError(e -> release(stream));
        emitter.onTimeout(() -> {
            release(stream);
            emitter.complete();
        });
        try {
            // sent at once (Spring holds it until the response starts): the client sees the stream open
            emitter.send(SseEmitter.event().reconnectTime(settings.retry().toMillis()));
        } catch (java.io.IOException e) {
            release(stream);
            throw new IllegalStateException(e);
        }
        return stream;
    }

    /** Forgets a stream and gives its tenant's slot back; safe to call more than once. */
    void release(EventStream stream) {
        if (!stream.markReleased()) {
            return;
        }
        all.remove(stream);
        AtomicInteger open = perTenant.get(stream.tenant());
        if (open != null) {
            open.decrementAndGet();
        }
        if (stream.batchId() != null) {
            byBatch.computeIfPresent(stream.batchId(), (id, set) -> {
                set.remove(stream);
                return set.isEmpty() ? null : set;
            });
        }
        if (stream.scope() != null) {
            byScope.computeIfPresent(stream.scope(), (s, set) -> {
                set.remove(stream);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /** Open streams of a tenant on this instance (for tests and the dashboard). */
    int openStreams(String tenant) {
        AtomicInteger open = perTenant.get(tenant);
        return open == null ? 0 : open.get();
    }

    void tick() {
        long now = System.nanoTime();
        try {
            pollBatches(now);
            if (now - nextOverviewNanos >= 0) {
                nextOverviewNanos = now + settings.overviewInterval().toNanos();
                pollOverviews(now);
            }
            if (failing) {
                failing = false;
                log.info("Progress streams read the database again");
            }
        } catch (DataAccessException e) {
            if (!failing) {
                failing = true;
                log.warn("Progress streams cannot read the database ({}); streams stay open with heartbeats", e.getMessage());
            }
        } catch (RuntimeException e) {
            log.error("Progress stream poll failed", e);
        }
        housekeeping(now);
    }

    private void pollBatches(long now) {
        if (byBatch.isEmpty()) {
            return;
        }
        long minInterval = settings.minEventInterval().toNanos();
        Map<UUID, BatchSnapshots.Progress> progress = batches.progress(new ArrayList<>(byBatch.keySet()));
        Set<UUID> moved = new HashSet<>();
        for (Map.Entry<UUID, Set<EventStream>> watched : byBatch.entrySet()) {
            BatchSnapshots.Progress p = progress.get(watched.getKey());
            if (p == null) {
                // deleted (retention or an admin): nothing will ever change again
                String data = json.writeValueAsString(Map.of("batchId", watched.getKey(), "status", "deleted"));
                watched.getValue().forEach(s -> s.send(EventStream.Outgoing.event(null, "gone", data, true), now));
                continue;
            }
            EventId version = EventId.of(p);
            if (watched.getValue().stream().anyMatch(s -> wants(s, version, now, minInterval))) {
                moved.add(watched.getKey());
            }
        }
        for (BatchSnapshots.Snapshot snapshot : batches.of(moved)) {
            EventId version = EventId.of(snapshot.progress());
            String data = json.writeValueAsString(snapshot.view());
            for (EventStream stream : byBatch.getOrDefault(snapshot.batchId(), Set.of())) {
                if (wants(stream, version, now, minInterval)) {
                    stream.lastSent = version;
                    stream.send(EventStream.Outgoing.event(version.toString(), version.isEnd() ? "end" : "progress", data,
                            version.isEnd()), now);
                }
            }
        }
    }

    private static boolean wants(EventStream stream, EventId version, long now, long minInterval) {
        return !stream.isFinishing() && !version.equals(stream.lastSent) && now - stream.lastEventNanos() >= minInterval;
    }

    private void pollOverviews(long now) {
        overviews.keySet().retainAll(byScope.keySet());
        for (Map.Entry<String, Set<EventStream>> watched : byScope.entrySet()) {
            String scope = watched.getKey();
            String tenant = scope.equals(ALL_TENANTS) ? null : scope;
            Overview overview = overviews.computeIfAbsent(scope, s -> new Overview());
            List<BatchSnapshots.Snapshot> running = batches.running(tenant, settings.overviewLimit());
            Map<String, Long> counts = batches.countByStatus(tenant);
            Set<UUID> runningIds = new HashSet<>();
            StringBuilder signature = new StringBuilder(counts.toString());
            for (BatchSnapshots.Snapshot snapshot : running) {
                runningIds.add(snapshot.batchId());
                signature.append(' ').append(snapshot.batchId()).append('=').append(EventId.of(snapshot.progress()));
            }
            Set<UUID> left = new HashSet<>(overview.running);
            left.removeAll(runningIds);
            List<BatchSnapshots.Snapshot> ended = left.isEmpty() ? List.of()
                    : batches.of(left).stream().filter(s -> s.progress().batchStatus().isTerminal()).toList();
            overview.running = runningIds;
            if (!signature.toString().equals(overview.signature) || !ended.isEmpty()) {
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put("at", Instant.now().toString());
                payload.put("batchesByStatus", counts);
                payload.put("activeCount", counts.entrySet().stream()
                        .filter(e -> !io.batchline.model.status.BatchStatus.fromWireName(e.getKey()).isTerminal())
                        .mapToLong(Map.Entry::getValue).sum());
                payload.put("active", running.stream().map(BatchSnapshots.Snapshot::view).toList());
                payload.put("ended", ended.stream().map(BatchSnapshots.Snapshot::view).toList());
                overview.payload = json.writeValueAsString(payload);
                overview.signature = signature.toString();
                overview.sequence++;
            }
            for (EventStream stream : watched.getValue()) {
                if (stream.overviewSent != overview.sequence && overview.payload != null && !stream.isFinishing()) {
                    stream.overviewSent = overview.sequence;
                    stream.send(EventStream.Outgoing.event(null, "overview", overview.payload, false), now);
                }
            }
        }
    }

    /** Heartbeats, and closing streams past their idle timeout or maximum duration. */
    private void housekeeping(long now) {
        long heartbeat = settings.heartbeat().toNanos();
        long idle = settings.idleTimeout().toNanos();
        long max = settings.maxDuration().toNanos();
        for (EventStream stream : all) {
            if (stream.isFinishing()) {
                continue;
            }
            if (now - stream.openedNanos() >= max || now - stream.lastEventNanos() >= idle) {
                stream.send(EventStream.Outgoing.comment(" closing: reconnect to continue", true), now);
            } else if (now - stream.lastWriteNanos() >= heartbeat) {
                stream.heartbeat(now);
            }
        }
    }

    @Override
    public void start() {
        if (writers.isShutdown()) {
            writers = Executors.newVirtualThreadPerTaskExecutor();
        }
        ScheduledExecutorService started = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "progress-streams");
            thread.setDaemon(true);
            return thread;
        });
        long interval = settings.pollInterval().toMillis();
        started.scheduleWithFixedDelay(this::tick, interval, interval, TimeUnit.MILLISECONDS);
        poller = started;
        running = true;
    }

    /**
     * Closes every stream (clients reconnect, to another instance if this one goes) and stops
     * polling. The default phase stops before the web server's graceful shutdown, which would
     * otherwise wait for streams that never end by themselves.
     */
    @Override
    public void stop() {
        running = false;
        ScheduledExecutorService stopped = poller;
        if (stopped != null) {
            stopped.shutdownNow();
        }
        long now = System.nanoTime();
        for (EventStream stream : all) {
            stream.send(EventStream.Outgoing.comment(" closing: the server is stopping, reconnect", true), now);
        }
        writers.shutdown();
        try {
            writers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
