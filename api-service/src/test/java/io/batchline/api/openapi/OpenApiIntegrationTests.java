package io.batchline.api.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.batchline.api.RealServicesTest;
import io.batchline.testing.ReadmeExamples;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI description at {@code /v3/api-docs}: readable without a key, OpenAPI 3.1,
 * every endpoint Spring MVC serves is in it with its method, the media types and the
 * problem answers are declared, and the README's curl examples name operations that exist,
 * with bodies its request schemas accept.
 */
class OpenApiIntegrationTests extends RealServicesTest {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping handlerMapping;

    private JsonNode description() {
        Answer answer = as(null, "GET", "/v3/api-docs", null, null, Map.of());
        assertThat(answer.status()).as("the description needs no key").isEqualTo(200);
        assertThat(answer.contentType()).startsWith("application/json");
        return answer.body();
    }

    /** Endpoints the description leaves out on purpose: the console's HTML, the error page, springdoc's own. */
    private static boolean described(String path) {
        return !(path.equals("/ui") || path.startsWith("/ui/") || path.equals("/error") || path.startsWith("/v3/api-docs")
                || path.startsWith("/swagger-ui"));
    }

    @Test
    void describesEveryEndpointWithItsMethod() throws Exception {
        JsonNode spec = description();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/openapi.json"), spec.toPrettyString());
        assertThat(spec.get("openapi").asString()).startsWith("3.1.");

        Set<String> registered = new TreeSet<>();
        handlerMapping.getHandlerMethods().forEach((info, method) -> {
            for (String path : info.getPatternValues()) {
                if (!described(path)) {
                    continue;
                }
                Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                assertThat(methods).as("%s (%s) answers every method: name them", path, method).isNotEmpty();
                methods.forEach(m -> registered.add(m.name().toLowerCase() + " " + path));
            }
        });
        Set<String> describedOperations = new TreeSet<>();
        spec.get("paths").properties().forEach(path -> path.getValue().properties()
                .forEach(operation -> describedOperations.add(operation.getKey() + " " + path.getKey())));
        assertThat(registered).as("endpoints registered in Spring MVC").hasSizeGreaterThan(30)
                .contains("post /api/batches", "get /api/batches/{batchId}/items", "post /batch/users/create",
                        "delete /api/admin/keys/{keyId}", "put /api/admin/rate-limits/{operation}");
        assertThat(describedOperations).as("every endpoint is described, and nothing else")
                .containsExactlyInAnyOrderElementsOf(registered);

        // media types: JSON and NDJSON submissions, CSV/NDJSON exports, event streams, problems
        JsonNode submit = spec.at("/paths/~1api~1batches/post");
        assertThat(names(submit.at("/requestBody/content"))).contains("application/json", "application/x-ndjson");
        assertThat(submit.at("/requestBody/content/application~1json/schema/$ref").asString())
                .isEqualTo("#/components/schemas/BatchRequest");
        assertThat(submit.at("/responses/202/content/application~1json/schema/$ref").asString())
                .isEqualTo("#/components/schemas/BatchAccepted");
        assertThat(names(spec.at("/paths/~1api~1batches~1{batchId}~1items/get/responses/200/content")))
                .contains("application/json", "application/x-ndjson", "text/csv");
        assertThat(spec.at("/paths/~1api~1batches~1{batchId}~1items/get/responses/200/content/application~1json/schema/$ref")
                .asString()).isEqualTo("#/components/schemas/PageItemView");
        assertThat(spec.at("/components/schemas/PageItemView/properties/data/items/$ref").asString())
                .isEqualTo("#/components/schemas/ItemView");
        for (String stream : List.of("/api/batches/{batchId}/events", "/api/batches/events")) {
            assertThat(names(spec.at("/paths/" + stream.replace("/", "~1") + "/get/responses/200/content")))
                    .as(stream).containsExactly("text/event-stream");
        }
        JsonNode problem = spec.at("/components/schemas/Problem");
        assertThat(names(problem.get("properties"))).contains("type", "title", "status", "detail", "instance", "errors",
                "invalidItems", "batchStatus");
        assertThat(names(spec.at("/components/schemas/ItemViolation/properties"))).containsExactly("index", "field", "message");

        // every operation: its problems as problem+json, under the bearer key
        spec.get("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            JsonNode responses = operation.getValue().get("responses");
            for (String status : List.of("400", "401", "503")) {
                String ref = responses.at("/" + status + "/$ref").asString();
                assertThat(ref).as("%s %s %s", operation.getKey(), path.getKey(), status).startsWith("#/components/responses/");
                JsonNode answer = spec.at("/components/responses/" + ref.substring(ref.lastIndexOf('/') + 1));
                assertThat(answer.at("/content/application~1problem+json/schema/$ref").asString())
                        .isEqualTo("#/components/schemas/Problem");
            }
            if (path.getKey().contains("{")) {
                assertThat(responses.has("404")).as("%s %s 404", operation.getKey(), path.getKey()).isTrue();
            }
            assertThat(operation.getValue().has("security")).as("no operation opts out of the key").isFalse();
        }));
        assertThat(spec.at("/paths/~1api~1batches~1{batchId}~1cancel/post/responses/409/$ref").asString())
                .isEqualTo("#/components/responses/Conflict");
        assertThat(spec.at("/paths/~1api~1batches/post/responses/422/$ref").asString())
                .isEqualTo("#/components/responses/UnprocessableContent");
        // every reference resolves: a misspelt response or schema name in an annotation shows here
        List<String> references = new ArrayList<>();
        collectReferences(spec, references);
        assertThat(references).hasSizeGreaterThan(100)
                .allSatisfy(ref -> assertThat(spec.at(ref.substring(1)).isMissingNode()).as(ref).isFalse());
        JsonNode scheme = spec.at("/components/securitySchemes/" + ApiDescription.SECURITY_SCHEME);
        assertThat(scheme.get("type").asString()).isEqualTo("http");
        assertThat(scheme.get("scheme").asString()).isEqualTo("bearer");
        assertThat(spec.at("/security/0").has(ApiDescription.SECURITY_SCHEME)).isTrue();
    }

    @Test
    void swaggerUiIsServedWithoutAKeyAndTheApiStillNeedsOne() throws Exception {
        HttpResponse<String> ui = raw("/swagger-ui/index.html");
        assertThat(ui.statusCode()).isEqualTo(200);
        assertThat(ui.headers().firstValue("content-type").orElse("")).startsWith("text/html");
        assertThat(ui.body()).contains("swagger-ui");
        HttpResponse<String> shortcut = raw("/swagger-ui.html");
        assertThat(shortcut.statusCode()).isEqualTo(302);
        assertThat(shortcut.headers().firstValue("location").orElse("")).endsWith("/swagger-ui/index.html");
        Answer config = as(null, "GET", "/v3/api-docs/swagger-config", null, null, Map.of());
        assertThat(config.status()).isEqualTo(200);
        assertThat(config.body().get("url").asString()).isEqualTo("/v3/api-docs");

        Answer api = as(null, "GET", "/api/batches", null, null, Map.of());
        assertThat(api.status()).isEqualTo(401);
        assertThat(api.contentType()).startsWith("application/problem+json");
        Answer admin = as(createKey("openapi-t", "submitter"), "GET", "/api/admin/keys", null, null, Map.of());
        assertThat(admin.status()).isEqualTo(403);
        HttpResponse<String> console = raw("/ui");
        assertThat(console.statusCode()).as("the console still sends a browser without a session to sign in").isEqualTo(302);
        assertThat(console.headers().firstValue("location").orElse("")).endsWith("/ui/sign-in");
        assertThat(raw("/ui/sign-in").statusCode()).isEqualTo(200);
        assertThat(raw("/ui/assets/console.js").statusCode()).isEqualTo(200);
    }

    /** A GET without a key, redirects not followed, the body as text. */
    private HttpResponse<String> raw(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static final Pattern PARAMETER = Pattern.compile("\\{[^/]+}");

    @Test
    void readmeExamplesNameDescribedOperationsWithValidBodies() {
        JsonNode spec = description();
        SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31());
        List<String> problems = new ArrayList<>();
        int calls = 0;
        int bodies = 0;
        for (ReadmeExamples.Block block : ReadmeExamples.bashBlocks(ReadmeExamples.readme())) {
            for (CurlCommands.Curl curl : CurlCommands.in(block.text(), block.line() + 1)) {
                if (curl.url() == null || !curl.url().text().contains("localhost:8080/")) {
                    continue; // actuator (management port), workers
                }
                String path = curl.url().text().replaceFirst("^(https?://)?localhost:8080", "").replaceFirst("\\?.*$", "");
                if (!described(path)) {
                    continue; // the description itself
                }
                calls++;
                String template = template(spec, path);
                String where = "README line " + curl.line() + ": " + curl.method() + " " + path;
                if (template == null) {
                    problems.add(where + ": no such path in the description");
                    continue;
                }
                JsonNode operation = spec.get("paths").get(template).get(curl.method().toLowerCase());
                if (operation == null) {
                    problems.add(where + ": " + template + " has no " + curl.method());
                    continue;
                }
                if (curl.body() != null && !curl.body().expanded() && !curl.body().text().startsWith("@")) {
                    bodies++;
                    String pointer = "/paths/" + template.replace("~", "~0").replace("/", "~1") + "/"
                            + curl.method().toLowerCase() + "/requestBody/content/application~1json/schema";
                    if (spec.at(pointer).isMissingNode()) {
                        problems.add(where + ": sends a JSON body the operation does not take");
                        continue;
                    }
                    List<Error> errors = validate(schemas, spec, pointer, json.readTree(curl.body().text()));
                    if (!errors.isEmpty()) {
                        problems.add(where + ": body does not match " + template + ": " + errors);
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(calls).as("curl examples checked").isGreaterThan(25);
        assertThat(bodies).as("literal JSON bodies checked").isGreaterThanOrEqualTo(4);

        // and the check can fail: an unknown option, a missing operation
        String submission = "/paths/~1api~1batches/post/requestBody/content/application~1json/schema";
        assertThat(validate(schemas, spec, submission, json.readTree("{\"operation\":\"noop\",\"items\":[{}]}"))).isEmpty();
        assertThat(validate(schemas, spec, submission,
                json.readTree("{\"operation\":\"noop\",\"options\":{\"maxAtempts\":3},\"items\":[{}]}"))).isNotEmpty();
        assertThat(validate(schemas, spec, submission, json.readTree("{\"items\":[{}]}"))).isNotEmpty();
    }

    /** The described path a README path (with {@code $ID} and such for parameters) stands for. */
    private static String template(JsonNode spec, String path) {
        if (spec.get("paths").has(path)) {
            return path;
        }
        for (String template : names(spec.get("paths"))) {
            StringBuilder regex = new StringBuilder();
            for (String segment : template.substring(1).split("/")) {
                regex.append('/').append(PARAMETER.matcher(segment).matches() ? "[^/]+" : Pattern.quote(segment));
            }
            if (path.matches(regex.toString())) {
                return template;
            }
        }
        return null;
    }

    /**
     * Validates against one schema of the description, in the OpenAPI 3.1 dialect: that schema
     * with the description's component schemas as {@code $defs}, so its references resolve.
     */
    private List<Error> validate(SchemaRegistry schemas, JsonNode spec, String pointer, JsonNode value) {
        ObjectNode document = json.createObjectNode();
        document.put("$ref", "#/$defs/request");
        ObjectNode defs = document.putObject("$defs");
        defs.setAll((ObjectNode) spec.at("/components/schemas"));
        defs.set("request", spec.at(pointer));
        JsonNode schema = json.readTree(document.toString().replace("\"#/components/schemas/", "\"#/$defs/"));
        return schemas.getSchema(SchemaLocation.of("https://batchline.dev/openapi.json"), schema).validate(value);
    }

    private static void collectReferences(JsonNode node, List<String> references) {
        if (node.isObject() && node.has("$ref")) {
            references.add(node.get("$ref").asString());
        }
        node.values().forEach(child -> collectReferences(child, references));
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.propertyNames().forEach(names::add);
        return names;
    }
}
