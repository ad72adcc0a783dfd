package io.batchline.deploy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * What a schema cannot see: every name one resource gives another resolves. A ConfigMap,
 * Secret or key a pod reads exists (in the overlay, in the Secret the operator creates from
 * secret.example.yaml, or among the Secrets the database and broker operators generate);
 * probes and Services name ports the containers declare; Services and disruption budgets
 * select pods; KEDA scales a Deployment that leaves its replica count to KEDA.
 */
final class ManifestReferences {

    private final Manifests manifests;
    /** Secret name to its keys, for every Secret pods may read. */
    private final Map<String, Set<String>> secrets = new HashMap<>();
    private final List<String> problems = new ArrayList<>();

    private ManifestReferences(Manifests manifests, JsonNode externalSecret) {
        this.manifests = manifests;
        addSecret(externalSecret);
        manifests.ofKind("Secret").forEach(this::addSecret);
        // what the operators generate (CloudNativePG: <cluster>-app; RabbitMQ: <cluster>-default-user)
        manifests.ofKind("Cluster").forEach(cluster -> secrets.put(Manifests.name(cluster) + "-app",
                Set.of("username", "password", "host", "port", "dbname", "uri", "jdbc-uri", "pgpass")));
        manifests.ofKind("RabbitmqCluster").forEach(cluster -> secrets.put(Manifests.name(cluster) + "-default-user",
                Set.of("username", "password", "host", "port", "provider", "type", "default_user.conf")));
    }

    /** Every unresolved reference of the rendered overlay, each naming where it is. */
    static List<String> problems(Manifests manifests, JsonNode externalSecret) {
        ManifestReferences references = new ManifestReferences(manifests, externalSecret);
        references.check();
        return references.problems;
    }

    private void addSecret(JsonNode secret) {
        Set<String> keys = new HashSet<>();
        secret.path("data").propertyNames().forEach(keys::add);
        secret.path("stringData").propertyNames().forEach(keys::add);
        secrets.put(Manifests.name(secret), keys);
    }

    private void check() {
        manifests.ofKind("Deployment").forEach(this::checkDeployment);
        manifests.ofKind("Service").forEach(this::checkService);
        manifests.ofKind("PodDisruptionBudget").forEach(budget -> {
            if (selected(budget.path("spec").path("selector").path("matchLabels")).isEmpty()) {
                problems.add("PodDisruptionBudget " + Manifests.name(budget) + " selects no Deployment's pods");
            }
        });
        manifests.ofKind("ScaledObject").forEach(this::checkScaledObject);
        manifests.ofKind("TriggerAuthentication").forEach(authentication -> {
            for (JsonNode ref : authentication.path("spec").path("secretTargetRef")) {
                checkSecretKey("TriggerAuthentication " + Manifests.name(authentication), ref.path("name").asString(""),
                        ref.path("key").asString(""));
            }
        });
        Set<String> namespaces = new HashSet<>();
        manifests.documents().stream()
                .filter(document -> !"Namespace".equals(document.path("kind").asString("")))
                .forEach(document -> namespaces.add(document.path("metadata").path("namespace").asString("")));
        if (namespaces.size() != 1 || namespaces.contains("")) {
            problems.add("every namespaced resource belongs in the overlay's one namespace, found " + namespaces);
        }
    }

    private void checkDeployment(JsonNode deployment) {
        String where = "Deployment " + Manifests.name(deployment);
        JsonNode pod = deployment.path("spec").path("template");
        JsonNode selector = deployment.path("spec").path("selector").path("matchLabels");
        if (!matches(selector, pod.path("metadata").path("labels"))) {
            problems.add(where + ": its selector does not match its pod template's labels");
        }
        Set<String> volumes = new HashSet<>();
        pod.path("spec").path("volumes").forEach(volume -> volumes.add(volume.path("name").asString("")));
        for (JsonNode container : pod.path("spec").path("containers")) {
            String in = where + " container " + container.path("name").asString("");
            for (JsonNode source : container.path("envFrom")) {
                if (source.has("configMapRef")) {
                    String name = source.path("configMapRef").path("name").asString("");
                    if (manifests.find("ConfigMap", name).isEmpty()) {
                        problems.add(in + ": envFrom ConfigMap " + name + " does not exist");
                    }
                }
                if (source.has("secretRef") && !secrets.containsKey(source.path("secretRef").path("name").asString(""))) {
                    problems.add(in + ": envFrom Secret " + source.path("secretRef").path("name").asString("") + " does not exist");
                }
            }
            for (JsonNode variable : container.path("env")) {
                JsonNode secretKey = variable.path("valueFrom").path("secretKeyRef");
                if (!secretKey.isMissingNode()) {
                    checkSecretKey(in + " env " + variable.path("name").asString(""), secretKey.path("name").asString(""),
                            secretKey.path("key").asString(""));
                }
            }
            Set<String> portNames = new HashSet<>();
            Set<Integer> portNumbers = new HashSet<>();
            container.path("ports").forEach(port -> {
                portNames.add(port.path("name").asString(""));
                portNumbers.add(port.path("containerPort").asInt());
            });
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                JsonNode port = container.path(probe).path("httpGet").path("port");
                if (port.isMissingNode()) {
                    problems.add(in + ": no HTTP " + probe);
                } else if (port.isString() ? !portNames.contains(port.asString()) : !portNumbers.contains(port.asInt())) {
                    problems.add(in + ": " + probe + " port " + port + " is not one of the container's ports");
                }
            }
            for (JsonNode mount : container.path("volumeMounts")) {
                if (!volumes.contains(mount.path("name").asString(""))) {
                    problems.add(in + ": volume " + mount.path("name").asString("") + " is mounted but not declared");
                }
            }
        }
    }

    private void checkService(JsonNode service) {
        String where = "Service " + Manifests.name(service);
        List<JsonNode> targets = selected(service.path("spec").path("selector"));
        if (targets.isEmpty()) {
            problems.add(where + " selects no Deployment's pods");
            return;
        }
        for (JsonNode port : service.path("spec").path("ports")) {
            JsonNode target = port.path("targetPort");
            if (target.isString()) {
                boolean declared = targets.stream().anyMatch(deployment ->
                        stream(Manifests.container(deployment).path("ports"))
                                .anyMatch(containerPort -> target.asString().equals(containerPort.path("name").asString(""))));
                if (!declared) {
                    problems.add(where + ": targetPort " + target.asString() + " is not a port of the pods it selects");
                }
            }
        }
    }

    private void checkScaledObject(JsonNode scaledObject) {
        String where = "ScaledObject " + Manifests.name(scaledObject);
        String target = scaledObject.path("spec").path("scaleTargetRef").path("name").asString("");
        manifests.find("Deployment", target).ifPresentOrElse(deployment -> {
            if (deployment.path("spec").has("replicas")) {
                problems.add(where + ": Deployment " + target + " sets replicas, which every apply would reset under KEDA");
            }
        }, () -> problems.add(where + ": scale target Deployment " + target + " does not exist"));
        for (JsonNode trigger : scaledObject.path("spec").path("triggers")) {
            String authentication = trigger.path("authenticationRef").path("name").asString("");
            if (!authentication.isEmpty() && manifests.find("TriggerAuthentication", authentication).isEmpty()) {
                problems.add(where + ": TriggerAuthentication " + authentication + " does not exist");
            }
        }
    }

    private void checkSecretKey(String where, String name, String key) {
        Set<String> keys = secrets.get(name);
        if (keys == null) {
            problems.add(where + ": Secret " + name + " does not exist");
        } else if (!keys.contains(key)) {
            problems.add(where + ": Secret " + name + " has no key " + key);
        }
    }

    /** The Deployments whose pods carry every label of the selector. */
    private List<JsonNode> selected(JsonNode selector) {
        if (selector.isEmpty()) {
            return List.of();
        }
        return manifests.ofKind("Deployment")
                .filter(deployment -> matches(selector, deployment.path("spec").path("template").path("metadata").path("labels")))
                .toList();
    }

    private static boolean matches(JsonNode selector, JsonNode labels) {
        return !selector.isEmpty() && selector.properties().stream()
                .allMatch(label -> label.getValue().asString("").equals(labels.path(label.getKey()).asString(null)));
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false);
    }
}
