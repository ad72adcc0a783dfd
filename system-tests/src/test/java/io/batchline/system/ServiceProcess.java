package io.batchline.system;

import static org.awaitility.Awaitility.await;


import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One service started from its executable jar as a separate OS process, as
 * {@code deploy/local/up.sh} starts it, on a free port, with its output in
 * {@code target/system-logs/<name>.log}.
 */
public final class ServiceProcess {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Path jar;
    private final Map<String, String> environment;
    private final int port;
    private final int managementPort;
    private final Path log;
    private volatile Process process;

    ServiceProcess(String name, String jarProperty, Map<String, String> environment) {
        this.name = name;
        this.jar = Path.of(System.getProperty(jarProperty, "missing-" + jarProperty));
        this.environment = environment;
        this.port = freePort();
        this.managementPort = freePort();
        this.log = Path.of("target", "system-logs", name + ".log");
    }

    public ServiceProcess start() {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the build with 'package' (or 'verify') first");
        }
        try {
            Files.createDirectories(log.getParent());
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-Xmx384m", "-XX:TieredStopAtLevel=1",
                    "-jar", jar.toString(), "--server.port=" + port, "--management.server.port=" + managementPort));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + name, e);
        }
        return this;
    }

    /** Waits until /actuator/health says UP (or fails fast when the process died). */
    public ServiceProcess awaitHealthy() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log.toAbsolutePath());
            }
            return healthy();
        });
        return this;
    }

    private boolean healthy() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl("/actuator/health")))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"UP\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Actuator (health, metrics) lives on the management port. */
    public String managementUrl(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    /** SIGTERM, and SIGKILL if it has not stopped within 40 s; true if it stopped by itself. */
    public boolean stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(40, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
                return false;
            }
        }
        return true;
    }

    public Path log() {
        return log;
    }

    /** SIGKILL: the process gets no chance to finish anything. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The OS process id of the running (or last) process, or -1 if it was never started. */
    public long pid() {
        Process current = process;
        return current == null ? -1 : current.pid();
    }

    public String name() {
        return name;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return name + " on port " + port + " (log " + log + ")";
    }

}
