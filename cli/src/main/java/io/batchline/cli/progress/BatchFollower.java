package io.batchline.cli.progress;

import io.batchline.cli.CliFailure;
import io.batchline.cli.ExitCodes;
import io.batchline.cli.api.ApiClient;
import io.batchline.cli.api.ApiProblem;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Follows a batch to its end: through its progress stream (SSE) while the API offers it,
 * resuming a broken stream with {@code Last-Event-ID}; by polling {@code GET
 * /api/batches/{id}} when there is no stream to be had (refused, or broken three times in a
 * row without an event).
 */
public final class BatchFollower {

    /** Longer than the server's 15 s heartbeat: a stream silent this long is dead. */
    private static final Duration SILENT_STREAM = Duration.ofSeconds(45);
    /** How long the API may stay unreachable before following gives up. */
    private static final Duration OUTAGE_TOLERANCE = Duration.ofMinutes(2);
    private static final int STREAM_BREAKS_BEFORE_POLLING = 3;

    private final ApiClient api;
    private final ProgressDisplay display;
    private final Duration pollInterval;

    public BatchFollower(ApiClient api, ProgressDisplay display, Duration pollInterval) {
        this.api = api;
        this.display = display;
        this.pollInterval = pollInterval;
    }

    /** Returns the batch's final state once it has ended. */
    public BatchSnapshot follow(String batchId, boolean useStream) {
        String lastEventId = null;
        int breaks = 0;
        long retryMillis = 3000;
        boolean polling = !useStream;
        long unreachableSince = -1;
        while (true) {
            try {
                if (!polling) {
                    StreamRun run = streamOnce(batchId, lastEventId);
                    if (run.ended() != null) {
                        display.finish(run.ended());
                        return run.ended();
                    }
                    lastEventId = run.lastEventId() != null ? run.lastEventId() : lastEventId;
                    retryMillis = run.retryMillis() > 0 ? Math.min(run.retryMillis(), 10_000) : retryMillis;
                    breaks = run.events() > 0 ? 0 : breaks + 1;
                    if (breaks >= STREAM_BREAKS_BEFORE_POLLING) {
                        display.note("the progress stream keeps breaking; polling instead");
                        polling = true;
                    }
                }
                // between stream connections and while polling: the batch as GET shows it
                BatchSnapshot batch = BatchSnapshot.of(api.getJson("/api/batches/" + batchId));
                unreachableSince = -1;
                if (batch.ended()) {
                    display.finish(batch);
                    return batch;
                }
                display.update(batch);
                pause(polling ? pollInterval.toMillis() : retryMillis);
            } catch (ApiProblem problem) {
                if (polling || problem.status() == 404 || problem.status() == 401 || problem.status() == 403) {
                    throw problem;
                }
                // the stream was refused (too many streams, or an API without streams): poll
                display.note("no progress stream (" + problem.getMessage() + "); polling instead");
                polling = true;
            } catch (CliFailure failure) {
                if (failure.exitCode() != ExitCodes.UNREACHABLE) {
                    throw failure;
                }
                long now = System.nanoTime();
                if (unreachableSince < 0) {
                    unreachableSince = now;
                    display.note(failure.getMessage() + "; retrying");
                } else if (now - unreachableSince > OUTAGE_TOLERANCE.toNanos()) {
                    throw failure;
                }
                pause(Math.max(1000, Math.min(retryMillis, pollInterval.toMillis())));
            }
        }
    }

    private record StreamRun(BatchSnapshot ended, String lastEventId, long retryMillis, int events) {
    }

    private StreamRun streamOnce(String batchId, String lastEventId) {
        HttpRequest.Builder request = api.request("/api/batches/" + batchId + "/events").header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> response = api.openStream(request.GET().build());
        if (response.statusCode() == 204) {
            // the batch had already ended at lastEventId: the caller reads its final state
            close(response.body());
            return new StreamRun(null, lastEventId, -1, 0);
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (response.statusCode() != 200 || !type.startsWith("text/event-stream")) {
            close(response.body());
            throw new ApiProblem(response.statusCode(), null, "not an event stream (" + type + ")", null);
        }
        EventStreamParser parser = new EventStreamParser(response.body());
        // the parser blocks in a read; a virtual thread reads so that a silent stream can be given up
        BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofVirtual().name("sse-" + batchId).start(() -> {
            try {
                ServerSentEvent event;
                while ((event = parser.next()) != null) {
                    received.add(event);
                }
                received.add("eof");
            } catch (IOException | RuntimeException e) {
                received.add(e);
            }
        });
        int events = 0;
        try {
            while (true) {
                Object next = received.poll(SILENT_STREAM.toMillis(), TimeUnit.MILLISECONDS);
                if (!(next instanceof ServerSentEvent event)) {
                    // end of stream, a read error or silence: resume where we were
                    return new StreamRun(null, parser.lastId(), parser.retryMillis(), events);
                }
                events++;
                if (event.event().equals("gone")) {
                    throw new CliFailure(ExitCodes.API_ERROR, "batch " + batchId + " was deleted while it was followed");
                }
                if (!event.event().equals("progress") && !event.event().equals("end")) {
                    continue;
                }
                JsonNode view = ApiClient.JSON.readTree(event.data());
                BatchSnapshot batch = BatchSnapshot.of(view);
                if (event.event().equals("end") || batch.ended()) {
                    return new StreamRun(batch, parser.lastId(), parser.retryMillis(), events);
                }
                display.update(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitCodes.UNREACHABLE, "interrupted", e);
        } finally {
            close(response.body());
            reader.interrupt();
        }
    }

    private static void close(InputStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // the stream is given up either way
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitCodes.UNREACHABLE, "interrupted", e);
        }
    }
}
