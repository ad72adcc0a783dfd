package io.batchline.worker.operations.http;

import io.batchline.model.operations.HttpCallItem;
import io.batchline.model.operations.Operation;
import io.batchline.model.operations.Operations;
import io.batchline.support.TransientFailures;
import io.batchline.support.outbound.AllowedHosts;
import io.batchline.support.outbound.OutboundPolicy;
import io.batchline.support.outbound.OutboundPolicy.Verdict;
import io.batchline.support.outbound.PinnedAddresses;
import io.batchline.worker.consumption.WorkerSettings;
import io.batchline.worker.operations.ItemFailure;
import io.batchline.worker.operations.ItemOutcome;
import io.batchline.worker.operations.OperationHandler;
import io.batchline.worker.operations.WorkItem;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs {@code http.call}: one request per item, the chunk's requests at the same time on
 * virtual threads, each host ({@code host:port}) at most {@code maxConcurrentPerHost} at once
 * in this worker and, where a rate limit covers it, within the limit shared by all workers.
 *
 * <p>Before a request: the URL's host must be on {@code WORKER_HTTP_ALLOWED_HOSTS}, and every
 * address it resolves to public unless the host is listed exactly ({@link OutboundPolicy});
 * the checked addresses are pinned for the request ({@link PinnedAddresses}), so the client
 * connects to what was checked. Redirects are not followed (the next hop could be anywhere):
 * a 3xx is the answer.
 *
 * <p>The whole chunk stays within the handler's time limit: requests get the smaller of the
 * request timeout and the time left, and an item still waiting for its host's turn when the
 * time is up fails retryably ({@code http.not_started}) without having been sent. The first
 * tokens of every rate-limited host are taken before anything is sent, so a database outage
 * there holds the chunk (no attempt used) rather than failing half-sent items.
 */
@Component
class HttpCallHandler implements OperationHandler<HttpCallItem>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpCallHandler.class);
    private static final int MESSAGE_EXCERPT_CHARS = 200;

    private final HttpCallSettings settings;
    private final OutboundPolicy policy;
    private final HostRateLimits rateLimits;
    private final Duration budget;
    private final HttpClient client;
    private final Map<String, Semaphore> inFlightPerHost = new ConcurrentHashMap<>();
    private final List<String> keepHeaders;

    HttpCallHandler(HttpCallSettings settings, WorkerSettings worker, HostRateLimits rateLimits) {
        this.settings = settings;
        this.rateLimits = rateLimits;
        AllowedHosts allowed = AllowedHosts.parse(settings.allowedHosts());
        this.policy = OutboundPolicy.onlyAllowed(allowed, "WORKER_HTTP_ALLOWED_HOSTS");
        this.budget = budget(worker);
        this.keepHeaders = settings.keepHeaders().stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
        this.client = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        boolean pinning = PinnedAddresses.active();
        if (!pinning) {
            log.warn("http.call: the resolver hook is not active, so a name's addresses are checked but not pinned for the request");
        }
        log.info("http.call: {} allowed hosts, request timeout {}, at most {} requests per host at once, chunk budget {}",
                allowed.isEmpty() ? "no" : settings.allowedHosts(), settings.requestTimeout(), settings.maxConcurrentPerHost(), budget);
    }

    /** The handler's time limit for http.call, less a margin to report in before the limit strikes. */
    private static Duration budget(WorkerSettings worker) {
        WorkerSettings.OperationOverrides overrides = worker.operations().get(Operations.HTTP_CALL.name());
        Duration limit = overrides != null && overrides.handlerTimeout() != null ? overrides.handlerTimeout() : worker.handlerTimeout();
        Duration margin = limit.dividedBy(10);
        return limit.minus(margin.compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2) : margin);
    }

    @Override
    public Operation<HttpCallItem> operation() {
        return Operations.HTTP_CALL;
    }

    /** One item on its way: its check, and its host's turn-takers. */
    private record Call(WorkItem<HttpCallItem> item, Verdict.Allowed target, Semaphore slots, @Nullable Tokens tokens,
                        AtomicBoolean started) {
    }

    @Override
    public List<ItemOutcome> handle(List<WorkItem<HttpCallItem>> items) {
        long deadline = System.nanoTime() + budget.toNanos();
        ItemOutcome[] outcomes = new ItemOutcome[items.size()];
        Map<Integer, Call> calls = new HashMap<>();
        Map<String, Tokens> tokensPerHost = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            WorkItem<HttpCallItem> item = items.get(i);
            URI uri;
            try {
                uri = new URI(item.payload().url());
            } catch (java.net.URISyntaxException e) {
                outcomes[i] = ItemOutcome.permanentFailure("http.invalid_request", "url is not a valid URL");
                continue;
            }
            Verdict verdict = policy.check(uri);
            if (verdict instanceof Verdict.Refused refused) {
                outcomes[i] = refusal(refused);
                continue;
            }
            Verdict.Allowed target = (Verdict.Allowed) verdict;
            String hostKey = target.host() + ":" + target.port();
            Semaphore slots = inFlightPerHost.computeIfAbsent(hostKey, k -> new Semaphore(settings.maxConcurrentPerHost(), true));
            HostRateLimits.Limited limited = rateLimits.forHost(target.host(), target.port());
            Tokens tokens = limited == null ? null
                    : tokensPerHost.computeIfAbsent(limited.limit().bucketKey(), k -> new Tokens(limited));
            if (tokens != null) {
                tokens.wanted++;
            }
            calls.put(i, new Call(item, target, slots, tokens, new AtomicBoolean()));
        }
        // one database round trip per limited host before anything is sent: an outage here holds the chunk
        tokensPerHost.values().forEach(Tokens::takeFirstGroupIfFree);

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Map<Integer, Future<ItemOutcome>> running = new HashMap<>();
            calls.forEach((i, call) -> running.put(i, threads.submit(() -> run(call, deadline))));
            for (Map.Entry<Integer, Future<ItemOutcome>> entry : running.entrySet()) {
                Call call = calls.get(entry.getKey());
                outcomes[entry.getKey()] = await(entry.getValue(), call, deadline);
            }
        }
        return List.of(outcomes);
    }

    private static ItemOutcome await(Future<ItemOutcome> future, Call call, long deadline) {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return call.started().get()
                    ? ItemOutcome.retryableFailure("http.timeout", "no answer within the chunk's time limit")
                    : notStarted();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String code = TransientFailures.isTransient(cause) ? "http.rate_limit_unavailable" : "http.error";
            return ItemOutcome.retryableFailure(code, cause.getClass().getSimpleName() + ": " + cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new IllegalStateException("interrupted while waiting for http.call answers", e);
        }
    }

    private static ItemOutcome notStarted() {
        return ItemOutcome.retryableFailure("http.not_started",
                "not sent: the chunk's time ran out while waiting for the host's concurrency cap or rate limit");
    }

    private static ItemOutcome refusal(Verdict.Refused refused) {
        return switch (refused.reason()) {
            case HOST_NOT_ALLOWED -> ItemOutcome.permanentFailure("http.host_not_allowed", refused.message());
            case PRIVATE_ADDRESS -> ItemOutcome.permanentFailure("http.address_not_allowed", refused.message());
            case INVALID_URL -> ItemOutcome.permanentFailure("http.invalid_request", "url " + refused.message());
            case UNKNOWN_HOST -> ItemOutcome.retryableFailure("http.unknown_host", refused.message());
        };
    }

    /** One item: its host's turn (concurrency cap, then rate limit), then the request. */
    private ItemOutcome run(Call call, long deadline) throws InterruptedException {
        if (!call.slots().tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            return notStarted();
        }
        try {
            if (call.tokens() != null && !call.tokens().take(deadline)) {
                return notStarted();
            }
            call.started().set(true);
            try (PinnedAddresses.Pin pin = call.target().pin()) {
                return send(call.item().payload(), call.target().uri(), deadline);
            } catch (ItemFailure failure) {
                return failure.toOutcome();
            }
        } finally {
            call.slots().release();
        }
    }

    private ItemOutcome send(HttpCallItem item, URI uri, long deadline) throws InterruptedException {
        Duration timeLeft = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
        Duration timeout = timeLeft.compareTo(settings.requestTimeout()) < 0 ? timeLeft : settings.requestTimeout();
        HttpRequest request;
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout)
                    .method(item.method(), item.body() == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(item.body(), StandardCharsets.UTF_8));
            if (item.headers() != null) {
                item.headers().forEach(builder::header);
            }
            if (item.headers() == null || item.headers().keySet().stream().noneMatch("user-agent"::equalsIgnoreCase)) {
                builder.header("User-Agent", "Batchline-http.call/1");
            }
            request = builder.build();
        } catch (IllegalArgumentException e) {
            throw ItemFailure.permanent("http.invalid_request", "the request cannot be sent: " + e.getMessage());
        }
        long started = System.nanoTime();
        int maxExcerpt = (int) Math.min(Integer.MAX_VALUE, settings.maxBodyExcerpt().toBytes());
        CompletableFuture<HttpResponse<ExcerptSubscriber.Excerpt>> answer =
                client.sendAsync(request, info -> new ExcerptSubscriber(maxExcerpt));
        HttpResponse<ExcerptSubscriber.Excerpt> response;
        try {
            // the client's own timeout ends at the answer's headers; this one covers the body excerpt too
            response = answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw ItemFailure.retryable("http.timeout", "no complete answer within " + timeout.toMillis() + " ms", null);
        } catch (InterruptedException e) {
            answer.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            throw failure(e.getCause() == null ? e : e.getCause(), timeout);
        }
        return outcome(item, response, Duration.ofNanos(System.nanoTime() - started));
    }

    private static ItemFailure failure(Throwable cause, Duration timeout) {
        if (cause instanceof HttpConnectTimeoutException) {
            return ItemFailure.retryable("http.timeout", "connect timed out", cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return ItemFailure.retryable("http.timeout", "no answer within " + timeout.toMillis() + " ms", cause);
        }
        if (cause instanceof ConnectException) {
            return ItemFailure.retryable("http.connection", "connection refused or unreachable", cause);
        }
        if (cause instanceof IOException) {
            return ItemFailure.retryable("http.connection", "connection failed: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
        }
        return ItemFailure.retryable("http.error", cause.getClass().getSimpleName() + ": " + cause.getMessage(), cause);
    }

    /** Success when the status is expected; 429 and 5xx retry (honouring Retry-After); other 4xx never will. */
    ItemOutcome outcome(HttpCallItem item, HttpResponse<ExcerptSubscriber.Excerpt> response, Duration took) {
        int status = response.statusCode();
        ExcerptSubscriber.Excerpt excerpt = response.body();
        String body = new String(excerpt.bytes(), StandardCharsets.UTF_8);
        if (item.expects(status)) {
            ObjectNode result = JsonNodeFactory.instance.objectNode();
            result.put("status", status);
            ObjectNode headers = result.putObject("headers");
            for (String name : keepHeaders) {
                response.headers().firstValue(name).ifPresent(value -> headers.put(name, value));
            }
            result.put("body", body);
            result.put("bodyTruncated", excerpt.truncated());
            result.put("durationMs", took.toMillis());
            return ItemOutcome.succeeded(result);
        }
        String expected = item.expectStatus() == null ? "2xx" : item.expectStatus().toString();
        String message = "answered " + status + " (expected " + expected + ")" + (body.isBlank() ? ""
                : ": " + (body.length() <= MESSAGE_EXCERPT_CHARS ? body : body.substring(0, MESSAGE_EXCERPT_CHARS) + "…"));
        if (status == 429 || status == 503) {
            Duration retryAfter = RetryAfter.parse(response.headers().firstValue("retry-after"), Instant.now());
            return ItemOutcome.retryableFailure(status == 429 ? "http.status_429" : "http.status_5xx",
                    retryAfter == null ? message : message + " (Retry-After " + retryAfter.toSeconds() + " s)", retryAfter);
        }
        if (status >= 500) {
            return ItemOutcome.retryableFailure("http.status_5xx", message);
        }
        if (status >= 400) {
            return ItemOutcome.permanentFailure("http.status_4xx", message);
        }
        return ItemOutcome.permanentFailure("http.unexpected_status", message);
    }

    /**
     * A chunk's tokens of one rate-limited host, taken from the shared bucket in groups of up
     * to the burst (one database round trip per group) and handed out one per request.
     */
    private static final class Tokens {

        private final HostRateLimits.Limited limited;
        private final ReentrantLock lock = new ReentrantLock();
        private int wanted;
        private long inHand;

        Tokens(HostRateLimits.Limited limited) {
            this.limited = limited;
        }

        private long nextGroup() {
            return Math.min(limited.limit().burst(), wanted);
        }

        void takeFirstGroupIfFree() {
            long group = nextGroup();
            if (group > 0 && limited.bucket().tryConsume(group)) {
                inHand = group;
            }
        }

        /** A token for one request, waiting for the bucket at most until {@code deadline}. */
        boolean take(long deadline) throws InterruptedException {
            lock.lockInterruptibly();
            try {
                if (inHand == 0) {
                    long group = nextGroup();
                    long wait = deadline - System.nanoTime();
                    if (group <= 0 || wait <= 0 || !limited.bucket().asBlocking().tryConsume(group, Duration.ofNanos(wait))) {
                        return false;
                    }
                    inHand = group;
                }
                inHand--;
                wanted--;
                return true;
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
