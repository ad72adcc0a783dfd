package io.batchline.deploy;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns the schemas as published (fabric8's JSON schemas of the Kubernetes types, the
 * operators' CRD openAPIV3Schema) into JSON Schema draft 7 that checks what the API server
 * would: unknown fields are rejected (kubectl's default server-side field validation is
 * Strict), quantities and int-or-string fields take what Kubernetes takes.
 */
final class SchemaTrees {

    static final String DRAFT_7 = "http://json-schema.org/draft-07/schema#";

    /** Kubernetes' resource.Quantity syntax (as the CRDs spell it). */
    static final String QUANTITY = "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

    /** fabric8's code-generation hints: not JSON Schema. */
    private static final List<String> JAVA_HINTS = List.of("javaType", "javaInterfaces", "existingJavaType", "javaOmitEmpty", "javaName");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SchemaTrees() {
    }

    /**
     * fabric8 models Quantity, IntOrString and MicroTime as the Java objects they become;
     * in YAML they are a string or a number.
     */
    static JsonNode fabric8Definition(String name, JsonNode definition) {
        if (name.endsWith("_Quantity")) {
            ObjectNode quantity = NODES.objectNode();
            quantity.putArray("anyOf")
                    .add(NODES.objectNode().put("type", "string").put("pattern", QUANTITY))
                    .add(NODES.objectNode().put("type", "number"));
            return quantity;
        }
        if (name.endsWith("_IntOrString")) {
            ObjectNode intOrString = NODES.objectNode();
            intOrString.putArray("type").add("integer").add("string");
            return intOrString;
        }
        if (name.endsWith("_MicroTime")) {
            return NODES.objectNode().put("type", "string");
        }
        return strict(definition);
    }

    /** A copy of the schema in which every object with declared properties takes only those. */
    static JsonNode strict(JsonNode schema) {
        JsonNode copy = schema.deepCopy();
        normalize(copy);
        return copy;
    }

    private static void normalize(JsonNode node) {
        if (!(node instanceof ObjectNode schema)) {
            return;
        }
        JAVA_HINTS.forEach(schema::remove);
        boolean preserveUnknown = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        if (schema.get("properties") instanceof ObjectNode properties) {
            ArrayNode required = schema.get("required") instanceof ArrayNode list ? list : NODES.arrayNode();
            for (Map.Entry<String, JsonNode> property : properties.properties()) {
                // fabric8 marks required properties draft-3 style, on the property
                if (property.getValue() instanceof ObjectNode propertySchema && propertySchema.path("required").isBoolean()) {
                    if (propertySchema.get("required").asBoolean()) {
                        required.add(property.getKey());
                    }
                    propertySchema.remove("required");
                }
                normalize(property.getValue());
            }
            if (!required.isEmpty()) {
                schema.set("required", required);
            }
            JsonNode additional = schema.get("additionalProperties");
            if (!preserveUnknown && (additional == null || additional.isBoolean())) {
                schema.put("additionalProperties", false);
            }
        }
        if (schema.get("additionalProperties") instanceof ObjectNode additional) {
            normalize(additional);
        }
        normalize(schema.get("items"));
        for (String combination : List.of("anyOf", "allOf", "oneOf")) {
            if (schema.get(combination) instanceof ArrayNode alternatives) {
                alternatives.forEach(SchemaTrees::normalize);
            }
        }
        if (schema.get("definitions") instanceof ObjectNode definitions) {
            definitions.forEach(SchemaTrees::normalize);
        }
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false) && !schema.has("anyOf")) {
            schema.putArray("type").add("integer").add("string");
        }
        if (schema.path("nullable").asBoolean(false) && schema.get("type") != null && schema.get("type").isString()) {
            String type = schema.get("type").asString();
            schema.putArray("type").add(type).add("null");
        }
    }
}
