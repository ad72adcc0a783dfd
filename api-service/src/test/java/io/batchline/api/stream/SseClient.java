package io.batchline.api.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A test's {@code EventSource}: the JDK HttpClient reading a {@code text/event-stream} line
 * by line on a virtual thread, parsing events as the SSE spec says (fields {@code id},
 * {@code event}, {@code data}, {@code retry}; lines starting with a colon are comments).
 */
final class SseClient implements AutoCloseable {

    /** A dispatched event. */
    record Event(String id, String name, String data, long receivedNanos) {
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final int status;
    final HttpResponse<Stream<String>> response;
    final List<String> lines = new CopyOnWriteArrayList<>();
    final List<String> comments = new CopyOnWriteArrayList<>();
    final List<Event> events = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Event> incoming = new LinkedBlockingQueue<>();
    private volatile boolean ended;
    private volatile String retry;

    private SseClient(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.status = response.statusCode();
        Thread.ofVirtual().start(this::read);
    }

    static SseClient open(int port, String path, String key, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(10)).GET(); // until the head arrives
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            return new SseClient(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void read() {
        String id = "";
        String name = "";
        StringBuilder data = null;
        String lastId = "";
        try (Stream<String> body = response.body()) {
            for (String line : (Iterable<String>) body::iterator) {
                lines.add(line);
                if (line.isEmpty()) {
                    if (data != null) {
                        Event event = new Event(id.isEmpty() ? lastId : id, name.isEmpty() ? "message" : name, data.toString(),
                                System.nanoTime());
                        lastId = event.id();
                        events.add(event);
                        incoming.add(event);
                    }
                    id = "";
                    name = "";
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    comments.add(line.substring(1).strip());
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> name = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    case "retry" -> retry = value;
                    default -> { }
                }
            }
        } catch (RuntimeException e) {
            // closed by the test
        } finally {
            ended = true;
        }
    }

    /** The next event not yet taken, waiting at most {@code timeout}; null if none came. */
    Event next(Duration timeout) {
        try {
            return incoming.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The server completed the response (or the connection broke). */
    boolean ended() {
        return ended;
    }

    String retry() {
        return retry;
    }

    String header(String name) {
        return response.headers().firstValue(name).orElse("");
    }

    /** The body of a refusal (not a stream): waits for its end. */
    String body() {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(this::ended);
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        response.body().close();
    }
}
