package io.batchline.deploy;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/** The documents of one rendered overlay, looked up by kind and name. */
record Manifests(List<JsonNode> documents) {

    Stream<JsonNode> ofKind(String kind) {
        return documents.stream().filter(document -> kind.equals(document.path("kind").asString("")));
    }

    Optional<JsonNode> find(String kind, String name) {
        return ofKind(kind).filter(document -> name.equals(name(document))).findFirst();
    }

    JsonNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in the rendered overlay"));
    }

    static String name(JsonNode document) {
        return document.path("metadata").path("name").asString("");
    }

    /** The value of a key of the (generated, hash-suffixed) ConfigMap batchline-config. */
    String setting(String key) {
        return ofKind("ConfigMap")
                .filter(map -> name(map).startsWith("batchline-config"))
                .map(map -> map.path("data").path(key))
                .filter(value -> !value.isMissingNode())
                .map(value -> value.asString())
                .findFirst()
                .orElseThrow(() -> new AssertionError("batchline-config has no " + key));
    }

    static JsonNode container(JsonNode deployment) {
        return deployment.path("spec").path("template").path("spec").path("containers").get(0);
    }
}
