package io.batchline.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import io.batchline.testing.TestServices;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API and a worker configured as deploy/k8s configures them: the broker by
 * {@code SPRING_RABBITMQ_ADDRESSES} (a dead node first, as when one broker pod is down) and
 * the database by {@code SPRING_DATASOURCE_URL}, with RABBITMQ_HOST and DB_HOST pointing
 * nowhere; and the probes the Deployments use (Spring Boot's liveness and readiness groups,
 * enabled in both application.yml files) answer on their management ports.
 */
class HealthProbesSystemTests {

    private static BatchlineStack stack;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final JsonMapper json = JsonMapper.builder().build();

    @BeforeAll
    static void start() {
        Map<String, String> services = TestServices.get().environment();
        stack = new BatchlineStack(Map.of(
                "SPRING_RABBITMQ_ADDRESSES", "127.0.0.1:1," + services.get("RABBITMQ_HOST") + ":" + services.get("RABBITMQ_PORT"),
                "SPRING_RABBITMQ_ADDRESS_SHUFFLE_MODE", "none",
                "RABBITMQ_HOST", "rabbitmq.invalid",
                "SPRING_DATASOURCE_URL", "jdbc:postgresql://" + services.get("DB_HOST") + ":" + services.get("DB_PORT")
                        + "/" + services.get("DB_NAME"),
                "DB_HOST", "postgres.invalid")).startApi();
        stack.startWorker();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void theApiAnswersItsLivenessAndReadinessProbes() throws Exception {
        assertProbeGroup(stack.api(), "liveness");
        assertProbeGroup(stack.api(), "readiness");
    }

    @Test
    void theWorkerAnswersItsLivenessAndReadinessProbes() throws Exception {
        ServiceProcess worker = stack.workers().getFirst();
        assertProbeGroup(worker, "liveness");
        assertProbeGroup(worker, "readiness");
    }

    private void assertProbeGroup(ServiceProcess process, String group) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(process.managementUrl("/actuator/health/" + group))).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = json.readTree(response.body());

        assertThat(response.statusCode()).as(process.name() + " " + group).isEqualTo(200);
        assertThat(body.path("status").asString()).isEqualTo("UP");
    }
}
