package io.batchline.system;

import io.batchline.testing.TestServices;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The topology of docker-compose.yml as OS processes: one API (or more, {@link #startAnotherApi()})
 * and N workers, against this run's own vhost and database, each on a free port. Requests go to
 * one API process, the first unless {@link #sendRequestsTo} names another.
 */
public final class BatchlineStack implements AutoCloseable {

    private final Map<String, String> environment;
    private volatile ServiceProcess api;
    /** API processes started besides the first (and its replacements). */
    private final List<ServiceProcess> otherApis = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<ServiceProcess> workers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile java.util.concurrent.ScheduledExecutorService supervisor;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final JsonMapper json = JsonMapper.builder().build();

    /** The admin key the API is started with; every request of these tests uses it. */
    public static final String ADMIN_KEY = "bl_system_test_admin_" + java.util.UUID.randomUUID().toString().replace("-", "");

    public BatchlineStack(Map<String, String> extraEnvironment) {
        environment = new HashMap<>(TestServices.get().environment());
        environment.put("BATCH_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY);
        environment.put("BATCH_SECRET_PEPPER", "system-test-pepper-" + java.util.UUID.randomUUID());
        environment.putAll(extraEnvironment);
        api = new ServiceProcess("api", "batchline.api.jar", environment);
    }

    public BatchlineStack startApi() {
        api.start().awaitHealthy();
        return this;
    }

    /**
     * Starts one more API process on the same database and broker (as {@code up.sh --apis N}
     * does) and waits until it is healthy; requests still go where they went.
     */
    public ServiceProcess startAnotherApi() {
        ServiceProcess another = new ServiceProcess("api-" + (otherApis.size() + 2), "batchline.api.jar", environment);
        otherApis.add(another);
        return another.start().awaitHealthy();
    }

    /** From now on requests go to this API process (e.g. after the one they went to was killed). */
    public void sendRequestsTo(ServiceProcess api) {
        this.api = api;
    }

    /** kill -9 the API and start a new API process (on a new port). */
    public void killAndRestartApi() {
        api.kill();
        api = new ServiceProcess("api", "batchline.api.jar", environment);
        api.start().awaitHealthy();
    }

    /**
     * Stops the API (SIGTERM, or SIGKILL when {@code graceful} is false) and starts a new API
     * process on new ports; does not wait for it to become healthy.
     */
    public ServiceProcess stopAndReplaceApi(boolean graceful) {
        if (graceful) {
            api.stop();
        } else {
            api.kill();
        }
        api = new ServiceProcess("api", "batchline.api.jar", environment);
        return api.start();
    }

    /**
     * Restarts any worker process that died, as compose's restart policy or a second run of
     * {@code deploy/local/up.sh} would.
     */
    void superviseWorkers() {
        supervisor = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("worker-supervisor").factory());
        supervisor.scheduleWithFixedDelay(() -> {
            for (ServiceProcess worker : workers) {
                if (!worker.isAlive()) {
                    worker.start();
                }
            }
        }, 300, 300, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    public void awaitAllHealthy() {
        api.awaitHealthy();
        workers.forEach(ServiceProcess::awaitHealthy);
    }

    public ServiceProcess startWorker() {
        ServiceProcess worker = new ServiceProcess("worker-" + (workers.size() + 1), "batchline.worker.jar", environment);
        workers.add(worker);
        return worker.start().awaitHealthy();
    }

    public ServiceProcess api() {
        return api;
    }

    /** The API processes started with {@link #startAnotherApi()}, in order. */
    public List<ServiceProcess> otherApis() {
        return otherApis;
    }

    public List<ServiceProcess> workers() {
        return workers;
    }

    /** A request's status and JSON body. */
    record Answer(int status, JsonNode body) {
    }

    Answer post(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(URI.create(api.url(path))).header("Content-Type", contentType)
                .header("Authorization", "Bearer " + ADMIN_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Any request, with the given API key and an optional JSON body. */
    Answer request(String method, String path, String key, String jsonBody) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.url(path))).header("Authorization", "Bearer " + key);
        if (jsonBody != null) {
            request.header("Content-Type", "application/json");
        }
        return send(request.method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(jsonBody)));
    }

    /** A new submitter key of {@code tenant}, made with the admin key. */
    String submitterKey(String tenant) {
        Answer answer = post("/api/admin/keys", "application/json", "{\"tenant\":\"" + tenant + "\",\"role\":\"submitter\"}");
        if (answer.status() != 201) {
            throw new AssertionError("key refused with " + answer.status() + ": " + answer.body());
        }
        return answer.body().get("key").asString();
    }

    Answer put(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(api.url(path))).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + ADMIN_KEY).PUT(HttpRequest.BodyPublishers.ofString(body)));
    }

    Answer delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(api.url(path))).header("Authorization", "Bearer " + ADMIN_KEY).DELETE());
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(api.url(path))).header("Authorization", "Bearer " + ADMIN_KEY).GET());
    }

    /** What a worker's own Prometheus counter says it completed successfully for an operation. */
    double succeededItems(ServiceProcess worker, String operation) {
        return prometheus(worker).lines()
                .filter(line -> line.startsWith("batchline_worker_items_total{") && line.contains("operation=\"" + operation + "\"")
                        && line.contains("status=\"succeeded\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** The rate limit a worker has in force for an operation, by its gauge (NaN: none, or no gauge yet). */
    double rateLimitInForce(ServiceProcess worker, String operation) {
        return prometheus(worker).lines()
                .filter(line -> line.startsWith("batchline_rate_limit_items_per_second{") && line.contains("operation=\"" + operation + "\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst().orElse(Double.NaN);
    }

    private String prometheus(ServiceProcess worker) {
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create(worker.managementUrl("/actuator/prometheus"))).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return response.body();
    }

    /** The API's health, from its management port. */
    int apiHealthStatus() {
        return send(HttpRequest.newBuilder(URI.create(api.managementUrl("/actuator/health"))).GET()).status();
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body().isEmpty() ? null : json.readTree(response.body()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Submits a JSON batch and returns its id (the submission must be accepted). */
    java.util.UUID submit(String operation, String itemsJson) {
        Answer answer = post("/api/batches", "application/json",
                "{\"operation\":\"" + operation + "\",\"creator\":\"system-test\",\"items\":[" + itemsJson + "]}");
        if (answer.status() != 202) {
            throw new AssertionError("submission refused with " + answer.status() + ": " + answer.body());
        }
        return java.util.UUID.fromString(answer.body().get("batchId").asString());
    }

    /** Waits until the batch has ended and returns its final view. */
    JsonNode awaitEnd(java.util.UUID batch, Duration atMost) {
        return org.awaitility.Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(250))
                .until(() -> get("/api/batches/" + batch).body(),
                        view -> view != null && view.has("status")
                                && List.of("completed", "failed", "cancelled", "timed_out").contains(view.get("status").asString()));
    }

    /** The batch's counters equal count(*) of its item rows per status, and no item is left pending. */
    void assertCountersEqualItemRows(java.util.UUID batch) {
        for (String status : List.of("succeeded", "failed", "cancelled", "timed_out")) {
            int counter = queryInt("SELECT " + status + " FROM batches WHERE id = ?", batch);
            int rows = queryInt("SELECT count(*) FROM batch_items WHERE batch_id = ? AND status = ?", batch, status);
            if (counter != rows) {
                throw new AssertionError(status + " counter is " + counter + " but " + rows + " item rows are " + status);
            }
        }
        int pending = queryInt("SELECT count(*) FROM batch_items WHERE batch_id = ? AND status = 'pending'", batch);
        if (pending != 0) {
            throw new AssertionError(pending + " items are still pending");
        }
    }

    /** Runs a query with one row and one integer column. */
    int queryInt(String sql, Object... params) {
        try (Connection connection = TestServices.get().openConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    void execute(String sql, Object... params) {
        try (Connection connection = TestServices.get().openConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            statement.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every queue of this run's vhost with its ready and unacknowledged message counts. */
    public JsonNode queues() {
        String body = new TestServices.RabbitAdmin(TestServices.get().rabbit())
                .get("/api/queues/" + TestServices.get().vhostPath() + "?columns=name,messages_ready,messages_unacknowledged");
        return json.readTree(body);
    }

    /**
     * The seqs of the items a peeked message carries (its headers as the management API shows
     * them): a pack's {@code x-item-seqs}, else its one {@code x-item-seq}.
     */
    public static java.util.List<Integer> itemSeqs(JsonNode headers) {
        java.util.List<Integer> seqs = new java.util.ArrayList<>();
        if (headers.path("x-item-seqs").isArray()) {
            headers.path("x-item-seqs").forEach(seq -> seqs.add(seq.asInt()));
        } else if (headers.has("x-item-seq")) {
            seqs.add(headers.path("x-item-seq").asInt());
        }
        return seqs;
    }

    /** Messages in a queue (left in it), as the management UI's "get messages" shows them. */
    public JsonNode peek(String queue, int count) {
        String body = new TestServices.RabbitAdmin(TestServices.get().rabbit()).post(
                "/api/queues/" + TestServices.get().vhostPath() + "/" + queue + "/get",
                "{\"count\":" + count + ",\"ackmode\":\"ack_requeue_true\",\"encoding\":\"auto\"}");
        return json.readTree(body);
    }

    @Override
    public void close() {
        if (supervisor != null) {
            supervisor.shutdownNow();
        }
        workers.forEach(ServiceProcess::stop);
        otherApis.forEach(ServiceProcess::stop);
        api.stop();
    }
}
