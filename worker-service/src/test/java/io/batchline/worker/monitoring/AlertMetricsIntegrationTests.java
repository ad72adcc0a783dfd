package io.batchline.worker.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.worker.WorkerIntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Every worker metric ({@code batchline_worker_*}) an alert in {@code deploy/prometheus/alerts.yml}
 * uses is exported on the worker's {@code /actuator/prometheus} once it has processed items
 * (the API's metrics are checked by the api-service test of the same name).
 */
class AlertMetricsIntegrationTests extends WorkerIntegrationTest {

    private static final Pattern WORKER_METRIC = Pattern.compile("\\b(batchline_worker_[a-z_]+)\\b");

    @LocalServerPort
    int port;

    @Test
    void everyWorkerMetricAnAlertUsesIsExported() throws Exception {
        UUID batch = UUID.randomUUID();
        publishItem("noop", batch, 0, 1, "{\"key\":\"a\"}");
        awaitResults(batch, 1);
        Set<String> used = new java.util.TreeSet<>();
        Matcher m = WORKER_METRIC.matcher(Files.readString(Path.of("..", "deploy", "prometheus", "alerts.yml")));
        while (m.find()) {
            used.add(m.group(1));
        }
        assertThat(used).isNotEmpty();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(scrape()).containsAll(used));
    }

    private Set<String> scrape() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body().lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toSet());
    }
}
