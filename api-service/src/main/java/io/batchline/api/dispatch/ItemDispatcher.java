package io.batchline.api.dispatch;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import io.batchline.api.callback.CallbackOutbox;
import io.batchline.api.support.StatusSql;
import io.batchline.model.messaging.ItemHeaders;
import io.batchline.model.messaging.Topology;
import io.batchline.model.status.BatchStatus;
import io.batchline.model.status.StopOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import io.batchline.support.tracing.ItemLogFields;
import io.batchline.support.tracing.ItemTracing;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes a stored batch's items as persistent messages, several consecutive items to a
 * message where the batch is large enough ({@link PackSize}), with publisher confirms and a
 * sliding window of unconfirmed messages. Two marks on the batch row say how far it
 * got: {@code published_below} is stored <em>before</em> a chunk is published (no item at
 * or above it was ever published in this round), {@code dispatched} only ever moves over
 * confirmed items. A crash re-publishes at most the items between the two, which the
 * tracker counts once anyway.
 *
 * <p>A batch that is stopping is finished here too: the items it may have published are
 * (re-)published, so workers report them with the stop's outcome, and the items it never
 * published end at once.
 *
 * <p>Only the instance holding a batch's lease dispatches it; the lease is renewed with
 * every chunk. A periodic scan picks up batches whose dispatch stopped (instance killed,
 * broker down) once their lease has run out, so any API instance finishes the job.
 */
@Component
public class ItemDispatcher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ItemDispatcher.class);

    /**
     * Items of the batch's current round published and not yet ended: what its window
     * limits. Every path that ends an item moves the status counters, so this never leaks.
     */
    private static final String IN_FLIGHT_SQL =
            "round_published - (succeeded + failed + cancelled + timed_out - round_ended_base)";
    /** Items of the current round that have ended: how the batch's pace is measured. */
    private static final String ENDED_SQL = "succeeded + failed + cancelled + timed_out - round_ended_base";

    static final String CLAIM = StatusSql.render("""
            UPDATE batches
               SET dispatch_owner = :owner,
                   dispatch_lease_until = now() + make_interval(secs => :leaseSeconds),
                   status = CASE WHEN status = 'pending' THEN 'processing' ELSE status END,
                   started_at = coalesce(started_at, now()),
                   -- a claim is no progress: a batch parked for credit is claimed every few seconds
                   last_progress_at = coalesce(last_progress_at, now())
             WHERE id = :id
               AND dispatched < total
               AND status IN ({ACTIVE})
               AND (dispatch_lease_until IS NULL OR dispatch_lease_until < now() OR dispatch_owner = :owner)
            RETURNING operation, dispatched, published_below, total, round, coalesce((options->>'maxAttempts')::int, 5),
                      status, stop_status, status_reason, creator,
                      coalesce((options->>'chunkSize')::int, 0), coalesce((options->>'maxConcurrency')::int, 0),
                      trace_parent, {IN_FLIGHT}, coalesce((options->>'priority')::int, 5), {ENDED}
            """.replace("{IN_FLIGHT}", IN_FLIGHT_SQL).replace("{ENDED}", ENDED_SQL));
    static final String NEXT_ITEMS = StatusSql.render("""
            SELECT seq, attempts, payload::text FROM batch_items
             WHERE batch_id = :id AND seq >= :from AND seq < :below AND round = :round AND status IN ({UNFINISHED_ITEMS})
             ORDER BY seq
             LIMIT :limit
            """);
    /**
     * Stored before a chunk is published; fails once the batch stops, the lease is lost or
     * a new retry round began (a run only ever publishes its own round).
     */
    static final String ADVANCE = StatusSql.render("""
            UPDATE batches
               SET dispatched = :dispatched, published_below = greatest(published_below, :below),
                   round_published = round_published + :fresh,
                   dispatch_lease_until = now() + make_interval(secs => :leaseSeconds),
                   last_progress_at = now()
             WHERE id = :id AND dispatch_owner = :owner AND round = :round AND status IN ({STOPPABLE})
            RETURNING {IN_FLIGHT}, {ENDED}
            """.replace("{IN_FLIGHT}", IN_FLIGHT_SQL).replace("{ENDED}", ENDED_SQL));
    /** Locks the batch row for the end of a stop, if this run still owns it (else another run does the job). */
    static final String LOCK_OWNED_STOP = """
            SELECT 1 FROM batches WHERE id = :id AND dispatch_owner = :owner AND round = :round AND status = 'stopping'
               FOR UPDATE
            """;
    static final String RENEW = """
            UPDATE batches SET dispatch_lease_until = now() + make_interval(secs => :leaseSeconds)
             WHERE id = :id AND dispatch_owner = :owner AND round = :round
            """;
    static final String OWNED_STOP = """
            SELECT published_below, stop_status, status_reason FROM batches
             WHERE id = :id AND dispatch_owner = :owner AND round = :round AND status = 'stopping'
            """;
    /**
     * The end of a stop's dispatch: items at or above {@code published_below} were never
     * published, so nothing can report them; they end with the stop's outcome now. If no
     * item is left in flight the batch takes its terminal status in the same statement.
     */
    static final String END_UNPUBLISHED = StatusSql.render("""
            WITH ended AS (
                UPDATE batch_items
                   SET status = :itemStatus, error_code = :code, error_message = :reason, finished_at = now()
                 WHERE batch_id = :id AND round = :round AND status IN ({UNFINISHED_ITEMS}) AND seq >= :below
                RETURNING 1
            ), n AS (SELECT count(*) AS ended FROM ended)
            UPDATE batches b
               SET cancelled = b.cancelled + CASE WHEN :itemStatus = 'cancelled' THEN n.ended ELSE 0 END,
                   timed_out = b.timed_out + CASE WHEN :itemStatus = 'timed_out' THEN n.ended ELSE 0 END,
                   dispatched = b.total, dispatch_owner = NULL, dispatch_lease_until = NULL, last_progress_at = now(),
                   status = CASE WHEN b.succeeded + b.failed + b.cancelled + b.timed_out + n.ended = b.total
                                 THEN b.stop_status ELSE b.status END,
                   completed_at = CASE WHEN b.succeeded + b.failed + b.cancelled + b.timed_out + n.ended = b.total
                                       THEN now() ELSE b.completed_at END
              FROM n
             WHERE b.id = :id AND b.status = 'stopping' AND b.dispatch_owner = :owner AND b.round = :round
            RETURNING b.status, n.ended
            """);
    static final String RELEASE = """
            UPDATE batches SET dispatch_owner = NULL, dispatch_lease_until = NULL
             WHERE id = :id AND dispatch_owner = :owner
            """;
    static final String UNFINISHED = StatusSql.render("""
            SELECT id FROM batches
             WHERE dispatched < total AND status IN ({ACTIVE})
               AND (dispatch_lease_until IS NULL OR dispatch_lease_until < now())
             ORDER BY created_at
             LIMIT 100
            """);

    private final JdbcClient jdbc;
    private final RabbitTemplate rabbit;
    private final DispatchSettings settings;
    private final ExecutorService pool;
    private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();
    private final Set<UUID> askedAgain = ConcurrentHashMap.newKeySet();
    private final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();
    private final MeterRegistry meters;
    private final CallbackOutbox callbacks;
    private final TransactionTemplate transaction;
    private final ItemTracing tracing;
    private final BatchPace pace;
    private final WindowScale scale;

    ItemDispatcher(JdbcClient jdbc, RabbitTemplate rabbit, DispatchSettings settings, MeterRegistry meters,
                   CallbackOutbox callbacks, TransactionTemplate transaction, ItemTracing tracing) {
        this.tracing = tracing;
        this.pace = new BatchPace(settings.minWindow(), settings.window(), settings.windowTime());
        this.scale = new WindowScale(settings.tenantWeights());
        this.jdbc = jdbc;
        this.rabbit = rabbit;
        this.settings = settings;
        this.meters = meters;
        this.callbacks = callbacks;
        this.transaction = transaction;
        this.pool = Executors.newFixedThreadPool(settings.threads(), Thread.ofPlatform().name("dispatch-", 0).factory());
    }

    /** Starts dispatching (or finishing the stop of) the batch in the background unless this instance already is. */
    public void dispatchSoon(UUID batchId) {
        if (!inFlight.add(batchId)) {
            // a run is going on (perhaps of the previous round, or before a stop): go again after it
            askedAgain.add(batchId);
            return;
        }
        try {
            pool.execute(() -> {
                try {
                    dispatch(batchId);
                } catch (RuntimeException e) {
                    log.warn("Dispatch of batch {} stopped, it will be resumed: {}", batchId, e.getMessage());
                } finally {
                    inFlight.remove(batchId);
                    if (askedAgain.remove(batchId)) {
                        dispatchSoon(batchId);
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            inFlight.remove(batchId);
        }
    }

    /** Picks up dispatches that nobody holds a live lease on (after a crash or a broker outage). */
    @Scheduled(fixedDelayString = "${batch.dispatch.recovery-interval:5s}", initialDelayString = "${batch.dispatch.recovery-interval:5s}")
    void resumeUnfinished() {
        pace.forgetStale(System.nanoTime());
        try {
            jdbc.sql(UNFINISHED).query(UUID.class).list().forEach(this::dispatchSoon);
        } catch (RuntimeException e) {
            log.debug("Dispatch recovery scan failed: {}", e.getMessage());
        }
    }

    private record Claim(String operation, int dispatched, int publishedBelow, int total, int round, int maxAttempts,
                         BatchStatus status, @Nullable Stop stop, ItemHeaders.BatchTraits traits,
                         @Nullable String traceParent, int inFlight, int ended, double scale) {
    }

    /** A stop in progress: the status it ends the batch in, and why. */
    private record Stop(int publishedBelow, BatchStatus target, String reason) {
    }

    /** Items of the batch's round published and not ended, and ended. */
    private record Progress(int inFlight, int ended) {
    }

    /** An item to publish; {@code attempts} is how often it was tried in earlier rounds. */
    private record Row(int seq, int attempts, String payload) {
    }

    void dispatch(UUID batchId) {
        Optional<Claim> claim = jdbc.sql(CLAIM)
                .param("owner", owner).param("leaseSeconds", settings.lease().toSeconds()).param("id", batchId)
                .query((rs, n) -> {
                    BatchStatus status = BatchStatus.fromWireName(rs.getString(7));
                    Stop stop = status == BatchStatus.STOPPING
                            ? new Stop(rs.getInt(3), BatchStatus.fromWireName(rs.getString(8)), rs.getString(9)) : null;
                    return new Claim(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getInt(5), rs.getInt(6),
                            status, stop, new ItemHeaders.BatchTraits(rs.getString(10), rs.getInt(11), rs.getInt(12)),
                            rs.getString(13), rs.getInt(14), rs.getInt(16), scale.of(rs.getString(10), rs.getInt(15)));
                })
                .optional();
        if (claim.isEmpty()) {
            return;
        }
        Claim claimed = claim.get();
        // the run continues the submission's trace; its items carry this span's context
        Span span = tracing.start("batch dispatch", claimed.traceParent())
                .tag("batch.id", batchId.toString()).tag("batch.operation", claimed.operation())
                .tag("batch.round", claimed.round()).tag("batch.items", claimed.total());
        try (ItemLogFields fields = ItemLogFields.range(batchId, claimed.dispatched(), Math.max(claimed.dispatched(), claimed.total() - 1),
                     claimed.operation(), claimed.traits().tenant());
             Tracer.SpanInScope scope = tracing.inScope(span)) {
            String traceParent = tracing.traceParent(span);
            rabbit.execute(channel -> {
                new Run(channel, batchId, claimed, traceParent).go();
                return null;
            });
        } catch (RuntimeException e) {
            span.error(e);
            throw e;
        } finally {
            span.end();
            jdbc.sql(RELEASE).param("id", batchId).param("owner", owner).update();
        }
    }

    /** One dispatch run of one batch on one confirm-mode channel. */
    private final class Run {

        private final Channel channel;
        private final UUID batchId;
        private final Claim claim;
        private final @Nullable String traceParent;
        private final ConfirmWindow window;
        private final Counter publishedItems;
        private final long timeout = settings.confirmTimeout().toMillis();

        Run(Channel channel, UUID batchId, Claim claim, @Nullable String traceParent) {
            this.traceParent = traceParent;
            this.channel = channel;
            this.batchId = batchId;
            this.claim = claim;
            this.window = new ConfirmWindow(settings.confirmWindow());
            this.publishedItems = meters.counter("batchline.items.dispatched", "operation", claim.operation());
        }

        void go() throws Exception {
            channel.addConfirmListener(window);
            try {
                if (claim.stop() != null) {
                    // a stop found this batch undispatched: what may have been published before
                    // (a crashed run) goes out again so that workers report it, the rest ends now
                    publish(claim.dispatched(), claim.stop().publishedBelow());
                    endUnpublished(claim.stop());
                } else {
                    publishAll();
                }
            } finally {
                channel.removeConfirmListener(window);
            }
        }

        /**
         * Reads the batch's undispatched items chunk by chunk and publishes them without
         * stopping for confirms. Before each chunk the confirmed watermark and the chunk's
         * upper end are stored; if that fails, the batch was stopped (or the lease lost).
         *
         * <p>Items a crashed run may have published already (below {@code published_below})
         * go out again without credit: they are counted in flight already. New items need
         * credit: while the batch has its window full, the run parks (and frees its thread);
         * the tracker's next commit for the batch, or the periodic scan, starts it again.
         * After a turn's worth of items it also steps aside when other batches wait for a
         * dispatch thread, so batches take turns.
         */
        private void publishAll() throws Exception {
            int next = claim.dispatched();
            int publishedBelow = claim.publishedBelow();
            int inFlight = claim.inFlight();
            int windowSize = windowAfter(claim.ended());
            int thisTurn = 0;
            while (true) {
                boolean again = next < publishedBelow;
                int credit = windowSize - inFlight;
                if (!again && (tooLittle(credit, windowSize, claim.total() - next) || turnUsed(thisTurn))) {
                    // settle what is out, store the watermark, and look at the credit once more
                    window.drain(timeout);
                    Optional<Progress> now = advance(window.watermark(next), next, 0);
                    if (now.isEmpty()) {
                        stoppedMidway();
                        return;
                    }
                    inFlight = now.get().inFlight();
                    windowSize = windowAfter(now.get().ended());
                    credit = windowSize - inFlight;
                    if (tooLittle(credit, windowSize, claim.total() - next)) {
                        parked(inFlight, windowSize, false);
                        return;
                    }
                    if (turnUsed(thisTurn)) {
                        parked(inFlight, windowSize, true);
                        return;
                    }
                }
                List<Row> rows = again ? rows(next, publishedBelow, settings.chunkSize())
                        : rows(next, claim.total(), Math.min(settings.chunkSize(), credit));
                if (rows.isEmpty()) {
                    if (again) {
                        next = publishedBelow;
                        continue;
                    }
                    break;
                }
                int below = rows.getLast().seq() + 1;
                int floor = publishedBelow;
                int fresh = (int) rows.stream().filter(r -> r.seq() >= floor).count();
                Optional<Progress> advanced = advance(window.watermark(next), below, fresh);
                if (advanced.isEmpty()) {
                    stoppedMidway();
                    return;
                }
                inFlight = advanced.get().inFlight();
                windowSize = windowAfter(advanced.get().ended());
                publishedBelow = Math.max(publishedBelow, below);
                send(rows, PackSize.of(settings.pack(), pace.busy(batchId, windowSize), claim.total() - next));
                thisTurn += fresh;
                next = below;
            }
            window.drain(timeout);
            // every item of this round is confirmed: the watermark covers the whole batch
            if (advance(claim.total(), claim.total(), 0).isEmpty()) {
                stoppedMidway();
                return;
            }
            pace.forget(batchId);
            log.info("Dispatched batch {} ({} items, operation {})", batchId, claim.total(), claim.operation());
        }

        /**
         * Whether the credit is too little to be worth a run: none at all, or less than a
         * quarter window (and a chunk) while more items than that wait. Waiting for a useful
         * amount keeps the statements per item low when results trickle in a few at a time.
         */
        private boolean tooLittle(int credit, int windowSize, int remaining) {
            int worthIt = Math.min(settings.chunkSize(), Math.max(1, windowSize / 4));
            return credit <= 0 || (credit < worthIt && remaining > credit);
        }

        /** The batch's window now that {@code ended} of its round's items have ended. */
        private int windowAfter(int ended) {
            return WindowScale.scaled(pace.window(batchId, ended, System.nanoTime()), claim.scale());
        }

        /**
         * Leaves the batch with its window full (or its turn used up): the lease goes with the
         * run's end, so whichever instance records the batch's next results (or the periodic
         * scan) dispatches the rest.
         */
        private void parked(int inFlight, int windowSize, boolean turnUsed) {
            meters.counter("batchline.dispatch.parked", "reason", turnUsed ? "turn" : "window").increment();
            if (turnUsed) {
                // other batches wait for a thread: queue this one behind them
                askedAgain.add(batchId);
            }
            log.debug("Batch {} waits for credit: {} items in flight, window {}", batchId, inFlight, windowSize);
        }

        /** The batch began stopping while this run published it: finish the stop if the lease is still ours. */
        private void stoppedMidway() throws Exception {
            Optional<Stop> stop = jdbc.sql(OWNED_STOP).param("id", batchId).param("owner", owner).param("round", claim.round())
                    .query((rs, n) -> new Stop(rs.getInt(1), BatchStatus.fromWireName(rs.getString(2)), rs.getString(3)))
                    .optional();
            if (stop.isEmpty()) {
                log.info("Stopped dispatching batch {}: it has ended or another instance holds its lease", batchId);
                return;
            }
            // everything this run published lies below published_below; once confirmed, workers report it
            renew();
            window.drain(timeout);
            endUnpublished(stop.get());
        }

        private void publish(int from, int below) throws Exception {
            int next = from;
            while (true) {
                List<Row> rows = rows(next, below);
                if (rows.isEmpty() || !renew()) {
                    break;
                }
                send(rows, PackSize.of(settings.pack(), settings.minWindow(), below - next));
                next = rows.getLast().seq() + 1;
            }
            renew();
            window.drain(timeout);
        }

        /** Keeps the lease while a stop is finished; false once another instance has it. */
        private boolean renew() {
            return jdbc.sql(RENEW).param("leaseSeconds", settings.lease().toSeconds()).param("id", batchId)
                    .param("owner", owner).param("round", claim.round()).update() == 1;
        }

        private List<Row> rows(int from, int below) {
            return rows(from, below, settings.chunkSize());
        }

        private List<Row> rows(int from, int below, int limit) {
            return jdbc.sql(NEXT_ITEMS)
                    .param("id", batchId).param("from", from).param("below", below).param("round", claim.round())
                    .param("limit", limit)
                    .query((rs, n) -> new Row(rs.getInt(1), rs.getInt(2), rs.getString(3)))
                    .list();
        }

        /**
         * Publishes the rows in order, up to {@code packSize} consecutive items of the same
         * attempt in one message ({@link PackSize}); the confirm window tracks each message
         * by its first item, so the watermark never passes an unconfirmed pack.
         */
        private void send(List<Row> rows, int packSize) throws Exception {
            int from = 0;
            while (from < rows.size()) {
                int attempts = rows.get(from).attempts();
                int to = from + 1;
                while (to < rows.size() && to - from < packSize && rows.get(to).attempts() == attempts) {
                    to++;
                }
                if (to - from == 1) {
                    publishOne(rows.get(from));
                } else {
                    publishPack(rows.subList(from, to));
                }
                window.awaitRoom(timeout);
                from = to;
            }
            publishedItems.increment(rows.size());
        }

        private void publishOne(Row row) throws Exception {
            ItemHeaders headers = headers(row);
            window.publishing(channel.getNextPublishSeqNo(), row.seq());
            channel.basicPublish(Topology.ITEMS_EXCHANGE, claim.operation(), false,
                    properties(headers.messageId(), headers.toMap()), row.payload().getBytes(StandardCharsets.UTF_8));
        }

        /** One message for several items: their seqs in a header, their payloads as a JSON array. */
        private void publishPack(List<Row> pack) throws Exception {
            ItemHeaders first = headers(pack.getFirst());
            List<Integer> seqs = new java.util.ArrayList<>(pack.size());
            StringBuilder body = new StringBuilder(pack.size() * (pack.getFirst().payload().length() + 1) + 2).append('[');
            for (Row row : pack) {
                if (!seqs.isEmpty()) {
                    body.append(',');
                }
                seqs.add(row.seq());
                body.append(row.payload());
            }
            body.append(']');
            window.publishing(channel.getNextPublishSeqNo(), first.seq());
            channel.basicPublish(Topology.ITEMS_EXCHANGE, claim.operation(), false,
                    properties(first.packMessageId(pack.getLast().seq()), first.toPackMap(seqs)),
                    body.toString().getBytes(StandardCharsets.UTF_8));
        }

        private AMQP.BasicProperties properties(String messageId, java.util.Map<String, Object> headers) {
            return new AMQP.BasicProperties.Builder()
                    .deliveryMode(2)
                    .contentType("application/json")
                    .messageId(messageId)
                    .headers(withTrace(headers))
                    .build();
        }

        private java.util.Map<String, Object> withTrace(java.util.Map<String, Object> headers) {
            if (traceParent != null) {
                headers.put(Topology.HEADER_TRACE_PARENT, traceParent);
            }
            return headers;
        }

        /**
         * Attempts count across retry rounds (so message ids stay unique); the cap travels as
         * an absolute attempt number: this round may try the item {@code maxAttempts} more times.
         */
        private ItemHeaders headers(Row row) {
            return new ItemHeaders(batchId, row.seq(), claim.round(), row.attempts() + 1,
                    row.attempts() + claim.maxAttempts(), claim.operation(), claim.traits());
        }

        /** Stores the marks; the batch's progress after it, or empty once the batch stops or the lease is gone. */
        private Optional<Progress> advance(int watermark, int below, int fresh) {
            return jdbc.sql(ADVANCE)
                    .param("dispatched", watermark).param("below", below).param("fresh", fresh)
                    .param("leaseSeconds", settings.lease().toSeconds())
                    .param("id", batchId).param("owner", owner).param("round", claim.round())
                    .query((rs, n) -> new Progress(rs.getInt(1), rs.getInt(2))).optional();
        }

        /** A turn's worth published while other batches wait for a dispatch thread: time to step aside. */
        private boolean turnUsed(int thisTurn) {
            return thisTurn >= settings.turn()
                    && pool instanceof java.util.concurrent.ThreadPoolExecutor executor && !executor.getQueue().isEmpty();
        }

        private void endUnpublished(Stop stop) {
            StopOutcome outcome = StopOutcome.of(stop.target());
            record Ended(BatchStatus status, int items) {
            }
            Optional<Ended> ended = transaction.execute(tx -> {
                // the statement's item update runs even when its batch update matches nothing, so
                // first make sure, under the row lock, that this run still owns the stop
                if (jdbc.sql(LOCK_OWNED_STOP).param("id", batchId).param("owner", owner).param("round", claim.round())
                        .query(Integer.class).optional().isEmpty()) {
                    return Optional.<Ended>empty();
                }
                Optional<Ended> result = jdbc.sql(END_UNPUBLISHED)
                        .param("itemStatus", outcome.itemStatus().wireName()).param("code", outcome.errorCode())
                        .param("reason", stop.reason()).param("id", batchId).param("round", claim.round())
                        .param("below", stop.publishedBelow()).param("owner", owner)
                        .query((rs, n) -> new Ended(BatchStatus.fromWireName(rs.getString(1)), rs.getInt(2)))
                        .optional();
                result.filter(e -> e.status().isTerminal()).ifPresent(e -> callbacks.batchEnded(batchId));
                return result;
            });
            ended.ifPresent(e -> {
                log.info("Batch {} stopping: {} items it never published ended {}{}", batchId, e.items(),
                        outcome.itemStatus().wireName(), e.status().isTerminal() ? "; it ended " + e.status().wireName() : "");
                if (e.status().isTerminal()) {
                    meters.counter("batchline.batches.finished", "status", e.status().wireName()).increment();
                }
            });
        }
    }

    @Override
    public void destroy() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }
}
