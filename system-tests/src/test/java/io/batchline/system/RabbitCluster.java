package io.batchline.system;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A three-node RabbitMQ cluster of this machine's RabbitMQ installation, run through {@code
 * deploy/local/rabbit-cluster.sh} on free ports, with node names and a data directory of its
 * own (under {@code target/}), removed again by {@link #close()}. Where rabbitmq-server is not
 * installed, or the cluster does not form, starting it fails with the script's output: these
 * tests are never skipped ({@code .ci/run} installs RabbitMQ).
 */
final class RabbitCluster implements AutoCloseable {

    static final String USER = "batchline";
    static final String PASSWORD = "cluster-" + UUID.randomUUID().toString().substring(0, 8);

    private static final Path SCRIPT = Path.of("..", "deploy", "local", "rabbit-cluster.sh");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final JsonMapper json = JsonMapper.builder().build();
    private final String prefix = "blst" + UUID.randomUUID().toString().substring(0, 6).replaceAll("[^a-z0-9]", "x");
    private final Path directory = Path.of("target", "rabbit-cluster-" + prefix).toAbsolutePath();
    /** Twelve different free ports: AMQP, management, Prometheus and distribution of three nodes. */
    private final List<Integer> ports = freePorts(12);
    private final List<Integer> amqpPorts = ports.subList(0, 3);
    private final List<Integer> managementPorts = ports.subList(3, 6);
    private final Map<String, String> environment = new HashMap<>();

    RabbitCluster() {
        environment.put("RABBIT_CLUSTER_DIR", directory.toString());
        environment.put("RABBIT_CLUSTER_NODE_PREFIX", prefix);
        environment.put("RABBIT_CLUSTER_AMQP_PORTS", spaced(amqpPorts));
        environment.put("RABBIT_CLUSTER_MANAGEMENT_PORTS", spaced(managementPorts));
        environment.put("RABBIT_CLUSTER_PROMETHEUS_PORTS", spaced(ports.subList(6, 9)));
        environment.put("RABBIT_CLUSTER_DIST_PORTS", spaced(ports.subList(9, 12)));
        environment.put("RABBIT_CLUSTER_USER", USER);
        environment.put("RABBIT_CLUSTER_PASSWORD", PASSWORD);
    }

    private final java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();

    RabbitCluster start() {
        // three Erlang VMs must not outlive a test JVM that ends without its @AfterAll
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "rabbit-cluster-stop"));
        run(Duration.ofMinutes(4), "start");
        return this;
    }

    /** kill -9 of node {@code n}'s Erlang VM (1, 2 or 3). */
    void killNode(int n) {
        run(Duration.ofSeconds(30), "kill-node", String.valueOf(n));
    }

    /** Starts node {@code n} again and waits until it runs (it rejoins by itself). */
    void restartNode(int n) {
        run(Duration.ofMinutes(3), "restart-node", String.valueOf(n));
    }

    /** The services' {@code RABBITMQ_*} settings for this cluster. */
    Map<String, String> serviceEnvironment() {
        return Map.of(
                "RABBITMQ_ADDRESSES", amqpPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")),
                "RABBITMQ_USER", USER,
                "RABBITMQ_PASSWORD", PASSWORD,
                "RABBITMQ_VHOST", "/",
                "BATCH_DIAGNOSIS_MANAGEMENT_URL", managementPorts.stream().map(p -> "http://127.0.0.1:" + p)
                        .collect(Collectors.joining(",")));
    }

    String nodeName(int n) {
        return prefix + n + "@localhost";
    }

    /** Which node (1..3) leads a quorum queue of the default vhost, by the management API of any live node. */
    int leaderOf(String queue) {
        JsonNode info = get("/api/queues/%2F/" + URLEncoder.encode(queue, StandardCharsets.UTF_8));
        String leader = info.path("leader").asString("");
        for (int n = 1; n <= 3; n++) {
            if (nodeName(n).equals(leader)) {
                return n;
            }
        }
        throw new AssertionError(queue + " has no known leader: " + info);
    }

    /** The members of a quorum queue, as node names. */
    List<String> membersOf(String queue) {
        List<String> members = new ArrayList<>();
        get("/api/queues/%2F/" + URLEncoder.encode(queue, StandardCharsets.UTF_8)).path("members")
                .forEach(member -> members.add(member.asString()));
        return members;
    }

    /** The members of a quorum queue that are online, as node names. */
    List<String> onlineMembersOf(String queue) {
        List<String> online = new ArrayList<>();
        get("/api/queues/%2F/" + URLEncoder.encode(queue, StandardCharsets.UTF_8)).path("online")
                .forEach(member -> online.add(member.asString()));
        return online;
    }

    /** Every queue of the default vhost with its ready and unacknowledged message counts. */
    JsonNode queues() {
        return get("/api/queues/%2F?columns=name,messages_ready,messages_unacknowledged");
    }

    /** Node names the cluster reports running. */
    List<String> runningNodes() {
        List<String> running = new ArrayList<>();
        for (JsonNode node : get("/api/nodes")) {
            if (node.path("running").asBoolean(false)) {
                running.add(node.path("name").asString());
            }
        }
        return running;
    }

    private JsonNode get(String path) {
        String credentials = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        IOException last = null;
        for (int port : managementPorts) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10)).header("Authorization", "Basic " + credentials).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return json.readTree(response.body());
                }
                last = new IOException(path + " answered " + response.statusCode() + ": " + response.body());
            } catch (IOException e) {
                last = e; // that node is down: the next one answers for the whole cluster
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no node of the cluster answers " + path, last);
    }

    private void run(Duration atMost, String... arguments) {
        if (!Files.isExecutable(Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server"))) {
            throw new AssertionError("the cluster tests need RabbitMQ: apt-get install rabbitmq-server");
        }
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(arguments));
        try {
            Files.createDirectories(Path.of("target", "system-logs"));
            Path log = Path.of("target", "system-logs", "rabbit-cluster.log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(atMost.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("rabbit-cluster.sh " + String.join(" ", arguments) + " took longer than " + atMost
                        + "; see " + log.toAbsolutePath());
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("rabbit-cluster.sh " + String.join(" ", arguments) + " failed with " + process.exitValue()
                        + "; see " + log.toAbsolutePath() + ":\n" + tail(log));
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + SCRIPT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    private static List<Integer> freePorts(int count) {
        java.util.Set<Integer> distinct = new java.util.LinkedHashSet<>();
        while (distinct.size() < count) {
            distinct.add(ServiceProcess.freePort());
        }
        return List.copyOf(distinct);
    }

    private static String spaced(List<Integer> ports) {
        return ports.stream().map(String::valueOf).collect(Collectors.joining(" "));
    }

    /** Stops every node and removes the cluster's data. */
    @Override
    public void close() {
        if (stopped.compareAndSet(false, true)) {
            run(Duration.ofMinutes(2), "stop", "--purge");
        }
    }
}
