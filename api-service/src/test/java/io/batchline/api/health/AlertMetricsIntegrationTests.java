package io.batchline.api.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.ItemResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalManagementPort;

/**
 * Every metric an alert in {@code alerts.yml} uses is one the services export: the API's
 * from its {@code /actuator/prometheus} after some traffic, the workers' ({@code batchline_worker_*})
 * from {@code WORKER_METRICS}, which the worker-service registers (see the README's metric list).
 */
class AlertMetricsIntegrationTests extends RealServicesTest {

    /** The worker metrics alerts may use; the worker registers them (ItemChunkListener). */
    static final Set<String> WORKER_METRICS = Set.of("batchline_worker_items_total");

    @LocalManagementPort
    int managementPort;

    @Test
    void everyMetricAnAlertUsesIsExported() throws Exception {
        UUID batch = submitLookups(1, "{}");
        await().atMost(Duration.ofSeconds(20)).until(() -> count("SELECT dispatched FROM batches WHERE id = ?", batch) == 1);
        publishResults(ItemResult.succeeded(batch, 0, 0, 1, null));
        await().atMost(Duration.ofSeconds(20)).until(() -> "completed".equals(batch(batch).get("status").asString()));

        Set<String> alertMetrics = AlertMetricNames.metricNames(Files.readString(AlertRulesTests.RULES_DIR.resolve("alerts.yml")));
        assertThat(alertMetrics).contains("batch_operations_total", "batch_processing_duration_seconds_bucket",
                "batch_pending_operations", "batchline_worker_items_total");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Set<String> exported = scrape();
            for (String metric : alertMetrics) {
                if (!WORKER_METRICS.contains(metric)) {
                    assertThat(exported).as("exported by the API").contains(metric);
                }
            }
        });
    }

    private Set<String> scrape() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body().lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toSet());
    }
}
