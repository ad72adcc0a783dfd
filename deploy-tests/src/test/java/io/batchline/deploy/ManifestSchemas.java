package io.batchline.deploy;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A schema for every resource type the manifests use: the Kubernetes types from fabric8's
 * published JSON schemas (kubernetes-model-core, -apps, -policy on Maven Central), the
 * custom resources from the CRD documents in deploy-tests/src/test/resources/crds. A
 * document of a type with no schema is a problem too, so nothing goes unchecked.
 */
final class ManifestSchemas {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
    /** "apiVersion kind" to the schema tree to compile on first use. */
    private final Map<String, JsonNode> trees = new HashMap<>();
    private final Map<String, Schema> compiled = new ConcurrentHashMap<>();

    private ManifestSchemas() {
    }

    static ManifestSchemas load() {
        ManifestSchemas schemas = new ManifestSchemas();
        schemas.addFabric8Schemas();
        schemas.addCrds(Repository.root().resolve("deploy-tests/src/test/resources/crds"));
        return schemas;
    }

    /** Every schema problem of the document, each naming the resource and the field; none when it is valid. */
    List<String> problems(JsonNode document) {
        String type = document.path("apiVersion").asString("") + " " + document.path("kind").asString("");
        String resource = type.strip() + " " + document.path("metadata").path("name").asString("?");
        JsonNode tree = trees.get(type);
        if (tree == null) {
            return List.of(resource + ": no schema for " + type.strip() + " (not a type the manifests may use)");
        }
        Schema schema = compiled.computeIfAbsent(type, key -> registry.getSchema(tree));
        return schema.validate(document).stream().map(error -> resource + ": " + error).toList();
    }

    private void addFabric8Schemas() {
        List<URL> sources;
        try {
            sources = Collections.list(getClass().getClassLoader().getResources("schema/validation-schema.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (sources.isEmpty()) {
            throw new IllegalStateException("no fabric8 schema/validation-schema.json on the class path");
        }
        for (URL source : sources) {
            JsonNode published;
            try (InputStream in = source.openStream()) {
                published = JSON.readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ObjectNode definitions = JSON.createObjectNode();
            published.get("definitions").properties().forEach(definition ->
                    definitions.set(definition.getKey(), SchemaTrees.fabric8Definition(definition.getKey(), definition.getValue())));
            definitions.properties().forEach(definition -> {
                JsonNode properties = definition.getValue().path("properties");
                String apiVersion = properties.path("apiVersion").path("default").asString("");
                String kind = properties.path("kind").path("default").asString("");
                if (!apiVersion.isEmpty() && !kind.isEmpty()) {
                    ObjectNode root = JSON.createObjectNode();
                    root.put("$schema", SchemaTrees.DRAFT_7);
                    root.set("definitions", definitions);
                    root.putArray("allOf").addObject().put("$ref", "#/definitions/" + definition.getKey());
                    // the first module that defines a type wins: core, apps and policy each copy some of the others
                    trees.putIfAbsent(apiVersion + " " + kind, root);
                }
            });
        }
    }

    private void addCrds(Path folder) {
        List<Path> files;
        try (Stream<Path> listing = Files.list(folder)) {
            files = listing.filter(file -> file.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path file : files) {
            for (JsonNode crd : readYaml(file)) {
                addCrd(file, crd);
            }
        }
    }

    /** One CustomResourceDefinition: a schema per served version. */
    private void addCrd(Path file, JsonNode crd) {
        if (!"CustomResourceDefinition".equals(crd.path("kind").asString(""))) {
            throw new IllegalStateException(file + " is not a CustomResourceDefinition");
        }
        String group = crd.path("spec").path("group").asString("");
        String kind = crd.path("spec").path("names").path("kind").asString("");
        List<String> versions = new ArrayList<>();
        for (JsonNode version : crd.path("spec").path("versions")) {
            JsonNode schema = version.path("schema").path("openAPIV3Schema");
            if (schema.isMissingNode() || !version.path("served").asBoolean(true)) {
                continue;
            }
            ObjectNode root = (ObjectNode) SchemaTrees.strict(schema);
            root.put("$schema", SchemaTrees.DRAFT_7);
            trees.put(group + "/" + version.path("name").asString() + " " + kind, root);
            versions.add(version.path("name").asString());
        }
        if (versions.isEmpty()) {
            throw new IllegalStateException(file + ": no served version with an openAPIV3Schema");
        }
    }

    private static List<JsonNode> readYaml(Path file) {
        try {
            return Yaml.documents(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
