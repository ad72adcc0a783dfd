package io.batchline.system.soak;

import io.batchline.system.ServiceProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The REST API as the soak calls it: whichever API process is current (it is replaced after
 * every API fault), never throwing on a dead API or a broken connection, and telling apart
 * "the request never reached the API" from "it may have".
 */
final class SoakApi {

    /**
     * What a call got.
     *
     * @param status    HTTP status, or 0 when there was no answer
     * @param body      the JSON body, if any
     * @param replayed  {@code Idempotent-Replayed: true}
     * @param notSent   no answer and the request certainly never reached the API (connection refused)
     * @param error     why there was no answer
     */
    record Reply(int status, JsonNode body, boolean replayed, boolean notSent, String error) {

        boolean answered() {
            return status > 0;
        }

        String describe() {
            if (!answered()) {
                return (notSent ? "not sent: " : "no answer: ") + error;
            }
            String text = body == null ? "" : body.toString();
            return status + (text.isEmpty() ? "" : " " + (text.length() > 300 ? text.substring(0, 300) + "…" : text));
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final Supplier<ServiceProcess> api;
    private volatile String key;

    SoakApi(Supplier<ServiceProcess> api, String key) {
        this.api = api;
        this.key = key;
    }

    void useKey(String newKey) {
        this.key = newKey;
    }

    Reply get(String path) {
        return send(HttpRequest.newBuilder(URI.create(api.get().url(path))).GET(), Duration.ofSeconds(10));
    }

    Reply post(String path, String body, String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.get().url(path)))
                .header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return send(request, Duration.ofSeconds(60));
    }

    private Reply send(HttpRequest.Builder request, Duration timeout) {
        try {
            HttpResponse<String> response = http.send(request.header("Authorization", "Bearer " + key).timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = null;
            if (!response.body().isBlank()) {
                try {
                    body = json.readTree(response.body());
                } catch (RuntimeException e) {
                    body = json.getNodeFactory().stringNode(response.body());
                }
            }
            boolean replayed = response.headers().firstValue("Idempotent-Replayed").map("true"::equalsIgnoreCase).orElse(false);
            return new Reply(response.statusCode(), body, replayed, false, null);
        } catch (ConnectException | HttpConnectTimeoutException e) {
            return new Reply(0, null, false, true, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (IOException e) {
            boolean refused = e.getCause() instanceof ConnectException;
            return new Reply(0, null, false, refused, e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(0, null, false, true, "interrupted");
        }
    }
}
