package io.batchline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.model.messaging.Topology;
import io.batchline.model.operations.Operations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * Renders deploy/k8s/overlays/* with kustomize and checks what {@code kubectl apply -k}
 * would send: every resource against its schema, every reference between resources, and
 * the numbers that must agree with the services' own settings.
 */
class KubernetesManifestsTests {

    private static final Map<String, Manifests> RENDERED = new ConcurrentHashMap<>();
    private static ManifestSchemas schemas;

    @BeforeAll
    static void loadSchemas() {
        schemas = ManifestSchemas.load();
    }

    private static Manifests overlay(String name) {
        return RENDERED.computeIfAbsent(name,
                overlay -> new Manifests(Kustomize.render(Repository.k8s().resolve("overlays").resolve(overlay))));
    }

    private static JsonNode secretExample() throws IOException {
        List<JsonNode> documents = Yaml.documents(Files.readString(Repository.k8s().resolve("secret.example.yaml")));
        assertThat(documents).hasSize(1);
        return documents.getFirst();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void everyResourceOfTheOverlayMatchesItsSchema(String name) {
        Manifests manifests = overlay(name);

        assertThat(manifests.documents()).extracting(document -> document.path("kind").asString(""))
                .contains("Deployment", "Service", "PodDisruptionBudget", "ConfigMap", "Namespace");
        List<String> problems = manifests.documents().stream().flatMap(document -> schemas.problems(document).stream()).toList();
        assertThat(problems).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "production"})
    void everyReferenceBetweenResourcesResolves(String name) throws IOException {
        assertThat(ManifestReferences.problems(overlay(name), secretExample())).isEmpty();
    }

    @Test
    void theSecretExampleMatchesItsSchemaAndHoldsPlaceholdersOnly() throws IOException {
        JsonNode secret = secretExample();

        assertThat(schemas.problems(secret)).isEmpty();
        assertThat(secret.path("stringData").propertyNames()).contains("DB_USER", "DB_PASSWORD", "RABBITMQ_USER",
                "RABBITMQ_PASSWORD", "BATCH_BOOTSTRAP_ADMIN_KEY", "BATCH_SECRET_PEPPER");
        for (String key : List.of("DB_PASSWORD", "RABBITMQ_PASSWORD", "BATCH_BOOTSTRAP_ADMIN_KEY", "BATCH_SECRET_PEPPER")) {
            assertThat(secret.path("stringData").path(key).asString()).as(key).startsWith("change-me");
        }
        assertThat(secret.has("data")).as("no base64 values that could hide a real one").isFalse();
    }

    @Test
    void productionRunsTwoApisThreeBrokerNodesThreeDatabaseInstancesAndWorkersFromZero() {
        Manifests production = overlay("production");

        assertThat(production.get("Deployment", "batchline-api").path("spec").path("replicas").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(production.get("RabbitmqCluster", "batchline-rabbitmq").path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(production.get("Cluster", "batchline-db").path("spec").path("instances").asInt()).isEqualTo(3);
        JsonNode scaling = production.get("ScaledObject", "batchline-worker").path("spec");
        assertThat(scaling.path("minReplicaCount").asInt(-1)).isZero();
        assertThat(scaling.path("scaleTargetRef").path("name").asString()).isEqualTo("batchline-worker");
        // one address per broker node, of the pods the RabbitmqCluster's StatefulSet creates
        assertThat(production.setting("SPRING_RABBITMQ_ADDRESSES").split(",")).containsExactly(
                "batchline-rabbitmq-server-0.batchline-rabbitmq-nodes:5672",
                "batchline-rabbitmq-server-1.batchline-rabbitmq-nodes:5672",
                "batchline-rabbitmq-server-2.batchline-rabbitmq-nodes:5672");
        assertThat(production.setting("DB_HOST")).isEqualTo("batchline-db-rw");
    }

    @Test
    void devRunsOneApiAndOneWorkerWithoutKedaAgainstAnExternalDatabase() {
        Manifests dev = overlay("dev");

        assertThat(dev.get("Deployment", "batchline-api").path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(dev.get("Deployment", "batchline-worker").path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(dev.ofKind("ScaledObject")).isEmpty();
        assertThat(dev.ofKind("Cluster")).isEmpty();
        assertThat(dev.setting("SPRING_DATASOURCE_URL")).startsWith("jdbc:postgresql://");
    }

    /**
     * Scaling to zero is only safe when the triggers see every queue whose messages need a
     * worker: the item queues and their isolation queues (consumed by workers only) and the
     * retry delay queues (their items come back to the item queues by TTL; counting them
     * keeps a worker up meanwhile). The API's own queues must not keep workers up.
     */
    @Test
    void theKedaTriggersCountEveryQueueWorkersConsumeOrWaitOnAndNoneOfTheApis() {
        JsonNode triggers = overlay("production").get("ScaledObject", "batchline-worker").path("spec").path("triggers");
        List<Pattern> patterns = new ArrayList<>();
        for (JsonNode trigger : triggers) {
            JsonNode metadata = trigger.path("metadata");
            assertThat(trigger.path("type").asString()).isEqualTo("rabbitmq");
            assertThat(metadata.path("protocol").asString()).as("useRegex needs the management API").isEqualTo("http");
            assertThat(metadata.path("useRegex").asString()).isEqualTo("true");
            assertThat(metadata.path("mode").asString()).isEqualTo("QueueLength");
            assertThat(metadata.path("operation").asString()).isEqualTo("sum");
            assertThat(Integer.parseInt(metadata.path("value").asString())).isPositive();
            patterns.add(Pattern.compile(metadata.path("queueName").asString()));
        }
        List<String> workerQueues = new ArrayList<>();
        for (String operation : Operations.names(true)) {
            workerQueues.add(Topology.itemQueue(operation));
            workerQueues.add(Topology.isolationQueue(operation));
        }
        Topology.RETRY_TIERS.forEach(tier -> workerQueues.add(tier.exchange()));
        List<String> apiQueues = new ArrayList<>(List.of(Topology.RESULTS_QUEUE, Topology.RESULTS_DEAD_QUEUE,
                Topology.DEAD_RECORDER_QUEUE, Topology.UNRECORDED_QUEUE, Topology.ACTIVITY_QUEUE));
        Operations.names(true).forEach(operation -> apiQueues.add(Topology.deadQueue(operation)));

        assertThat(workerQueues).allSatisfy(queue ->
                assertThat(patterns).as("a trigger counting " + queue).anySatisfy(pattern -> assertThat(pattern.matcher(queue).find()).isTrue()));
        assertThat(apiQueues).allSatisfy(queue ->
                assertThat(patterns).as("no trigger counting " + queue).noneSatisfy(pattern -> assertThat(pattern.matcher(queue).find()).isTrue()));
    }

    @Test
    void gracePeriodsOutlastTheServicesGracefulShutdown() throws IOException {
        Manifests production = overlay("production");
        JsonNode api = production.get("Deployment", "batchline-api").path("spec").path("template").path("spec");
        JsonNode worker = production.get("Deployment", "batchline-worker").path("spec").path("template").path("spec");
        Duration apiPhase = shutdownPhase(Repository.root().resolve("api-service/src/main/resources/application.yml"));
        Duration workerPhase = shutdownPhase(Repository.root().resolve("worker-service/src/main/resources/application.yml"));
        JsonNode preStop = Manifests.container(production.get("Deployment", "batchline-api")).path("lifecycle").path("preStop");
        long preStopSeconds = Long.parseLong(preStop.path("exec").path("command").get(1).asString());
        // ItemConsumers: each listener container waits up to the handler timeout + 5 s for its in-flight chunks
        Duration drain = duration(production.setting("WORKER_HANDLER_TIMEOUT")).plusSeconds(5);

        assertThat(api.path("terminationGracePeriodSeconds").asLong()).isGreaterThan(preStopSeconds + apiPhase.toSeconds());
        assertThat(worker.path("terminationGracePeriodSeconds").asLong())
                .isGreaterThan(drain.toSeconds())
                .isGreaterThan(workerPhase.toSeconds());
    }

    @Test
    void probesUseSpringBootsProbeGroupsOnTheManagementPortsBothServicesEnable() throws IOException {
        Manifests production = overlay("production");
        for (String service : List.of("api-service", "worker-service")) {
            String settings = Files.readString(Repository.root().resolve(service + "/src/main/resources/application.yml"));
            assertThat(Yaml.documents(settings).getFirst().at("/management/endpoint/health/probes/enabled").asBoolean())
                    .as(service + " enables the liveness and readiness groups").isTrue();
        }
        JsonNode api = Manifests.container(production.get("Deployment", "batchline-api"));
        JsonNode worker = Manifests.container(production.get("Deployment", "batchline-worker"));

        assertThat(api.at("/livenessProbe/httpGet/path").asString()).isEqualTo("/actuator/health/liveness");
        assertThat(api.at("/readinessProbe/httpGet/path").asString()).isEqualTo("/actuator/health/readiness");
        assertThat(worker.at("/livenessProbe/httpGet/path").asString()).isEqualTo("/actuator/health/liveness");
        assertThat(worker.at("/readinessProbe/httpGet/path").asString()).isEqualTo("/actuator/health/readiness");
        assertThat(portNumber(api, "management")).isEqualTo(Integer.parseInt(production.setting("API_MANAGEMENT_PORT")));
        assertThat(portNumber(api, "http")).isEqualTo(Integer.parseInt(production.setting("API_PORT")));
        assertThat(portNumber(worker, "management")).isEqualTo(Integer.parseInt(production.setting("WORKER_PORT")));
    }

    @Test
    void podsRunAsNonRootOnAReadOnlyRootFilesystemWithAWritableTmp() {
        for (String overlay : List.of("dev", "production")) {
            overlay(overlay).ofKind("Deployment").forEach(deployment -> {
                JsonNode pod = deployment.path("spec").path("template").path("spec");
                JsonNode container = Manifests.container(deployment);
                assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
                assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
                assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
                assertThat(Stream.of(container.path("volumeMounts")).flatMap(mounts -> mounts.valueStream())
                        .map(mount -> mount.path("mountPath").asString())).contains("/tmp");
            });
        }
    }

    private static int portNumber(JsonNode container, String name) {
        return container.path("ports").valueStream()
                .filter(port -> name.equals(port.path("name").asString("")))
                .map(port -> port.path("containerPort").asInt())
                .findFirst().orElseThrow();
    }

    private static Duration shutdownPhase(Path applicationYml) throws IOException {
        JsonNode settings = Yaml.documents(Files.readString(applicationYml)).getFirst();
        return duration(settings.at("/spring/lifecycle/timeout-per-shutdown-phase").asString());
    }

    /** Spring Boot's simple duration form: 500ms, 30s, 5m, 1h. */
    static Duration duration(String text) {
        Matcher matcher = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text.strip());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a duration: " + text);
        }
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }
}
