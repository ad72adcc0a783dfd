package io.batchline.cli.api;

import io.batchline.cli.CliFailure;
import io.batchline.cli.ExitCodes;
import io.batchline.cli.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The REST API over {@link HttpClient}: every request carries the key, every refusal becomes
 * an {@link ApiProblem}, every failure to connect a {@link CliFailure} with
 * {@link ExitCodes#UNREACHABLE}. {@code --verbose} logs method, URL, status and time to
 * stderr; never a header, so never the key.
 */
public final class ApiClient {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final Settings settings;
    private final PrintStream log;
    private final HttpClient http;

    public ApiClient(Settings settings, PrintStream verboseLog) {
        if (!settings.hasApiKey()) {
            throw CliFailure.usage("no API key: pass --api-key, set BATCHLINE_API_KEY, or put api_key in profile ["
                    + settings.profile() + "] of the config file (see 'batchline config')");
        }
        this.settings = settings;
        this.log = verboseLog;
        // HTTP/1.1: the progress stream and the streamed upload gain nothing from an h2c upgrade
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    public String baseUrl() {
        return settings.url();
    }

    public HttpRequest.Builder request(String pathAndQuery) {
        URI uri;
        try {
            uri = URI.create(settings.url() + pathAndQuery);
        } catch (IllegalArgumentException e) {
            throw CliFailure.usage("not a valid API URL: " + settings.url() + " (" + settings.urlSource() + ")");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw CliFailure.usage("the API URL must start with http:// or https://: " + settings.url() + " (" + settings.urlSource() + ")");
        }
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + settings.apiKey());
    }

    public JsonNode getJson(String pathAndQuery) {
        return json(send(request(pathAndQuery).header("Accept", "application/json").timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    public JsonNode postJson(String pathAndQuery) {
        return json(send(request(pathAndQuery).header("Accept", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()));
    }

    /** A request whose answer is read as a stream; a refusal is still an {@link ApiProblem}. */
    public HttpResponse<InputStream> openStream(HttpRequest request) {
        HttpResponse<InputStream> response = send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() >= 400) {
            String text;
            try (InputStream body = response.body()) {
                text = new String(body.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            } catch (IOException e) {
                text = "";
            }
            throw problem(response.statusCode(), text, response);
        }
        return response;
    }

    /** Sends a body read from a stream as it goes (the whole body is never held). */
    public HttpResponse<String> postStreaming(String path, String contentType, Map<String, String> headers,
                                              Supplier<InputStream> body) {
        HttpRequest.Builder request = request(path).header("Content-Type", contentType).header("Accept", "application/json");
        headers.forEach(request::header);
        return send(request.POST(HttpRequest.BodyPublishers.ofInputStream(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        long started = System.nanoTime();
        if (log != null) {
            log.println("> " + request.method() + " " + request.uri());
        }
        HttpResponse<T> response;
        try {
            response = http.send(request, handler);
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new CliFailure(ExitCodes.UNREACHABLE, "cannot reach the API at " + settings.url() + " (" + settings.urlSource()
                    + "): " + describe(e), e);
        } catch (HttpTimeoutException e) {
            throw new CliFailure(ExitCodes.UNREACHABLE, "the API at " + settings.url() + " did not answer in time", e);
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.UNREACHABLE, "the connection to " + settings.url() + " failed: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitCodes.UNREACHABLE, "interrupted", e);
        }
        if (log != null) {
            log.println("< " + response.statusCode() + " " + request.method() + " " + request.uri().getPath() + " ("
                    + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms)");
        }
        return response;
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }

    public JsonNode json(HttpResponse<String> response) {
        if (response.statusCode() >= 400) {
            throw problem(response.statusCode(), response.body(), response);
        }
        try {
            return response.body() == null || response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (JacksonException e) {
            throw new CliFailure(ExitCodes.API_ERROR, "the API answered " + response.statusCode() + " with a body that is not JSON");
        }
    }

    private static ApiProblem problem(int status, String text, HttpResponse<?> response) {
        JsonNode problem = null;
        try {
            if (text != null && text.strip().startsWith("{")) {
                problem = JSON.readTree(text);
            }
        } catch (JacksonException ignored) {
            // not JSON: the text itself is shown
        }
        return new ApiProblem(status, problem, text, response.headers().firstValue("Retry-After").orElse(null));
    }

    /** A query string from the non-null parameters, percent-encoded. */
    public static String query(Map<String, ?> parameters) {
        Map<String, Object> present = new LinkedHashMap<>();
        parameters.forEach((name, value) -> {
            if (value != null && !value.toString().isEmpty()) {
                present.put(name, value);
            }
        });
        if (present.isEmpty()) {
            return "";
        }
        StringBuilder query = new StringBuilder("?");
        present.forEach((name, value) -> query.append(query.length() > 1 ? "&" : "").append(name).append('=')
                .append(URLEncoder.encode(value.toString(), StandardCharsets.UTF_8)));
        return query.toString();
    }
}
