package io.batchline.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The checks of KubernetesManifestsTests reject what is broken, each naming the resource and the field. */
class BrokenManifestsTests {

    private static ManifestSchemas schemas;

    @BeforeAll
    static void loadSchemas() {
        schemas = ManifestSchemas.load();
    }

    private static JsonNode document(String yaml) {
        return Yaml.documents(yaml).getFirst();
    }

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: broken
            spec:
              replicas: %s
              selector:
                matchLabels:
                  app: broken
              template:
                metadata:
                  labels:
                    app: broken
                spec:
                  containers:
                    - name: app
                      image: example/app
                      resources:
                        limits:
                          memory: %s
                      %s:
                        httpGet:
                          path: /actuator/health/readiness
                          port: 8080
            """;

    @Test
    void aWellFormedDeploymentPasses() {
        assertThat(schemas.problems(document(DEPLOYMENT.formatted("2", "512Mi", "readinessProbe")))).isEmpty();
    }

    @Test
    void aMisspeltFieldIsRejected() {
        assertThat(schemas.problems(document(DEPLOYMENT.formatted("2", "512Mi", "readinesProbe"))))
                .singleElement().asString().contains("Deployment broken", "readinesProbe");
    }

    @Test
    void aValueOfTheWrongTypeIsRejected() {
        assertThat(schemas.problems(document(DEPLOYMENT.formatted("two", "512Mi", "readinessProbe"))))
                .singleElement().asString().contains("Deployment broken", "replicas");
    }

    @Test
    void aQuantityKubernetesCannotReadIsRejected() {
        assertThat(schemas.problems(document(DEPLOYMENT.formatted("2", "'512 MB'", "readinessProbe"))))
                .anySatisfy(problem -> assertThat(problem).contains("memory"));
    }

    @Test
    void aTypeWithoutASchemaIsRejected() {
        assertThat(schemas.problems(document("""
                apiVersion: apps/v1
                kind: Deploymnet
                metadata:
                  name: typo
                """))).singleElement().asString().contains("no schema for apps/v1 Deploymnet");
    }

    @Test
    void customResourcesAreCheckedAgainstTheirCrds() {
        assertThat(schemas.problems(document("""
                apiVersion: keda.sh/v1alpha1
                kind: ScaledObject
                metadata:
                  name: no-target
                spec:
                  minReplicas: 0
                  triggers:
                    - type: rabbitmq
                      metadata:
                        queueName: q
                """))).hasSize(2)
                .anySatisfy(problem -> assertThat(problem).contains("scaleTargetRef"))
                .anySatisfy(problem -> assertThat(problem).contains("minReplicas"));
        assertThat(schemas.problems(document("""
                apiVersion: rabbitmq.com/v1beta1
                kind: RabbitmqCluster
                metadata:
                  name: broker
                spec:
                  replicas: three
                  rabbitmq:
                    additionalPlugins: [rabbitmq-prometheus]
                """))).hasSize(2)
                .anySatisfy(problem -> assertThat(problem).contains("replicas"))
                .anySatisfy(problem -> assertThat(problem).contains("additionalPlugins"));
        assertThat(schemas.problems(document("""
                apiVersion: postgresql.cnpg.io/v1
                kind: Cluster
                metadata:
                  name: db
                spec:
                  instances: 3
                  primaryUpdateStrategy: automatic
                  storage:
                    size: 10Gi
                """))).singleElement().asString().contains("primaryUpdateStrategy");
    }

    @Test
    void aReferenceToASecretKeyNobodyCreatesIsReported() throws IOException {
        Manifests production = new Manifests(Kustomize.render(Repository.k8s().resolve("overlays/production")));
        JsonNode secretExample = Yaml.documents(Files.readString(Repository.k8s().resolve("secret.example.yaml"))).getFirst();
        JsonNode worker = production.get("Deployment", "batchline-worker");
        ObjectNode password = (ObjectNode) Manifests.container(worker).path("env").valueStream()
                .filter(variable -> variable.path("name").asString("").equals("DB_PASSWORD"))
                .findFirst().orElseThrow().at("/valueFrom/secretKeyRef");
        password.put("key", "passwd");
        ((ObjectNode) worker.path("spec")).put("replicas", 3);

        assertThat(ManifestReferences.problems(production, secretExample))
                .anySatisfy(problem -> assertThat(problem).contains("Deployment batchline-worker", "DB_PASSWORD", "has no key passwd"))
                .anySatisfy(problem -> assertThat(problem).contains("ScaledObject batchline-worker", "sets replicas"));
    }

    // kustomize takes a directory resource only by a relative path
    @Test
    void anOverlayWhosePatchTargetsNothingDoesNotRender(@TempDir Path overlay) throws IOException {
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - %s
                patches:
                  - path: patch.yaml
                """.formatted(overlay.relativize(Repository.k8s().resolve("base"))));
        Files.writeString(overlay.resolve("patch.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: batchline-wroker
                spec:
                  replicas: 1
                """);

        assertThatThrownBy(() -> Kustomize.render(overlay)).hasMessageContaining("batchline-wroker");
    }

    @Test
    void anOverlayThatRendersAnInvalidFieldFailsTheSchemaCheck(@TempDir Path overlay) throws IOException {
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - %s
                patches:
                  - path: patch.yaml
                """.formatted(overlay.relativize(Repository.k8s().resolve("base"))));
        Files.writeString(overlay.resolve("patch.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: batchline-api
                spec:
                  template:
                    spec:
                      terminationGracePeriod: 40
                """);
        List<JsonNode> rendered = Kustomize.render(overlay);

        assertThat(rendered.stream().flatMap(document -> schemas.problems(document).stream()))
                .singleElement().asString().contains("Deployment batchline-api", "terminationGracePeriod");
    }
}
