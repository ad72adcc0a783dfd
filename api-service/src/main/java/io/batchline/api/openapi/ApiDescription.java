package io.batchline.api.openapi;

import io.batchline.api.query.ItemView;
import io.batchline.api.query.Page;
import io.batchline.api.security.Caller;
import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.ResolvableType;

/**
 * The one place for what every operation shares: the bearer API-key scheme (required
 * globally), the problem+json schema with its extension members, and the problem answers
 * (as {@code #/components/responses/…}) each operation may give. Controllers carry
 * annotations only where the generated description is wrong or thin (a body read as a
 * stream, the exports, the event streams) and refer to these responses by name for the
 * answers particular to them (409, 422, 429).
 */
@Configuration(proxyBeanMethods = false)
class ApiDescription {

    static final String SECURITY_SCHEME = "apiKey";
    static final String PROBLEM_JSON = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;
    private static final String PROBLEMS = "https://batchline.dev/problems/";

    static {
        // resolved from the filter's request attribute, never from the request itself
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
    }

    /** The shared problem answers, by the name operations refer to them with. */
    enum Problem {
        BAD_REQUEST("400", "BadRequest", "A parameter, the path or the body is wrong: malformed-json, invalid-request, "
                + "invalid-items (errors[] names each item's index and field), invalid-options, invalid-parameter, "
                + "invalid-cursor, invalid-path, bad-request, unknown-operation, empty-batch, …"),
        UNAUTHORIZED("401", "Unauthorized", "No `Authorization: Bearer` key (unauthenticated), an unknown or revoked key "
                + "(invalid-key), or an ended console session (invalid-session)"),
        FORBIDDEN("403", "Forbidden", "A submitter key on /api/admin/** (forbidden), submitting for another tenant "
                + "(creator-mismatch), or a console-session change without its X-CSRF-Token (csrf)"),
        NOT_FOUND("404", "NotFound", "No such batch (or another tenant's: ids cannot be probed), key, tenant or operation"),
        CONFLICT("409", "Conflict", "The batch is in the wrong state for this: batch-ended, batch-stopping, batch-running, "
                + "nothing-to-retry, batch-not-ended (batchStatus says where it stands)"),
        CONTENT_TOO_LARGE("413", "ContentTooLarge", "body-too-large, too-many-items, item-too-large or metadata-too-large"),
        UNSUPPORTED_MEDIA_TYPE("415", "UnsupportedMediaType", "Content-Type is not one concrete media type this endpoint reads"),
        UNPROCESSABLE("422", "UnprocessableContent", "idempotency-key-reused: the Idempotency-Key was used for a different "
                + "request (batchId names its batch)"),
        TOO_MANY_REQUESTS("429", "TooManyRequests", "rate-limited (the tenant's submissions or items), too-many-streams or "
                + "too-many-exports; Retry-After says when to try again"),
        UNAVAILABLE("503", "ServiceUnavailable", "The database cannot be reached; nothing was stored (Retry-After: 5)");

        final String status;
        final String name;
        final String description;

        Problem(String status, String name, String description) {
            this.status = status;
            this.name = name;
            this.description = description;
        }

        String ref() {
            return "#/components/responses/" + name;
        }
    }

    @Bean
    OpenAPI batchlineOpenApi() {
        Components components = new Components()
                .addSecuritySchemes(SECURITY_SCHEME, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                        .bearerFormat("API key")
                        .description("An API key (`bl_…`) as `Authorization: Bearer <key>`; admins create them with "
                                + "POST /api/admin/keys. The console's session cookie is accepted too (then every change "
                                + "carries X-CSRF-Token)."))
                .addSchemas("ItemViolation", object(itemViolation(), List.of("message"))
                        .description("One reason an item or a field was refused"))
                .addSchemas("Problem", problemSchema());
        for (Problem problem : Problem.values()) {
            ApiResponse response = new ApiResponse().description(problem.description)
                    .content(new Content().addMediaType(PROBLEM_JSON,
                            new MediaType().schema(new Schema<>().$ref("#/components/schemas/Problem"))));
            if (problem == Problem.UNAUTHORIZED) {
                response.addHeaderObject("WWW-Authenticate", header("Bearer realm=\"batchline\""));
            }
            if (problem == Problem.TOO_MANY_REQUESTS || problem == Problem.UNAVAILABLE) {
                response.addHeaderObject("Retry-After", header("seconds to wait before trying again"));
            }
            components.addResponses(problem.name, response);
        }
        return new OpenAPI()
                .info(new Info().title("Batchline API").version("1")
                        .description("Batch operations over RabbitMQ and PostgreSQL: submit many items at once, follow "
                                + "the batch, page or export its items. Every error is application/problem+json."))
                .components(components)
                .addSecurityItem(new SecurityRequirement().addList(SECURITY_SCHEME));
    }

    /**
     * Runs on the generated description: adds to every operation the problem answers any
     * request to it may get (400, 401 and 503 always; 403 on admin paths and changes, which a
     * console session must sign with its CSRF token; 404 where the path names something; 413
     * and 415 where there is a body), leaving alone the answers an operation declares itself;
     * and adds or mends the schemas below.
     */
    @Bean
    OpenApiCustomizer sharedParts() {
        return openApi -> {
            pageOfItems(openApi.getComponents());
            anyJson(openApi.getComponents());
            openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) ->
                    addProblems(path, method, operation)));
        };
    }

    /**
     * Jackson's tree (an item's result, an item of the seeds' user requests) is any JSON value,
     * not the bean springdoc would read it as; and an event stream is no object.
     */
    private static void anyJson(Components components) {
        if (components.getSchemas() != null) {
            components.getSchemas().computeIfPresent("JsonNode", (name, bean) -> new Schema<>().description("any JSON value"));
            components.getSchemas().remove("SseEmitter");
        }
    }

    private static void addProblems(String path, PathItem.HttpMethod method, Operation operation) {
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        operation.setResponses(responses);
        // a 204 has no body, whatever the handler's return type suggested
        responses.computeIfPresent("204", (status, response) -> response.get$ref() == null ? response.content(null) : response);
        add(responses, Problem.BAD_REQUEST);
        add(responses, Problem.UNAUTHORIZED);
        if (path.startsWith("/api/admin/") || method != PathItem.HttpMethod.GET) {
            add(responses, Problem.FORBIDDEN);
        }
        if (path.contains("{")) {
            add(responses, Problem.NOT_FOUND);
        }
        if (operation.getRequestBody() != null) {
            add(responses, Problem.CONTENT_TOO_LARGE);
            add(responses, Problem.UNSUPPORTED_MEDIA_TYPE);
        }
        add(responses, Problem.UNAVAILABLE);
    }

    private static void add(ApiResponses responses, Problem problem) {
        responses.computeIfAbsent(problem.status, status -> new ApiResponse().$ref(problem.ref()));
    }

    private static Map<String, Schema<?>> itemViolation() {
        Map<String, Schema<?>> properties = new LinkedHashMap<>();
        properties.put("index", typed("integer", "the item's position in items (0-based); absent for a request field"));
        properties.put("field", nullable("string", "the offending field's path inside the item or request"));
        properties.put("message", typed("string", null));
        return properties;
    }

    /** RFC 9457's members and the extension members this API adds to them. */
    private static Schema<Object> problemSchema() {
        Map<String, Schema<?>> properties = new LinkedHashMap<>();
        properties.put("type", typed("string", "a URI under " + PROBLEMS + " naming the kind of problem (see the README's Errors)")
                .format("uri"));
        properties.put("title", typed("string", "a short summary of the kind"));
        properties.put("status", typed("integer", "the HTTP status"));
        properties.put("detail", typed("string", "what is wrong with this request, naming the parameter, item or field"));
        properties.put("instance", typed("string", "the request's path").format("uri-reference"));
        properties.put("errors", typed("array", "invalid-items and invalid-request: each item or field refused (the first 100)")
                .items(new Schema<>().$ref("#/components/schemas/ItemViolation")));
        properties.put("invalidItems", typed("integer", "invalid-items: how many items were refused in all"));
        properties.put("batchId", typed("string", "idempotency-key-reused: the batch the key created").format("uuid"));
        properties.put("batchStatus", typed("string", "batch-ended, batch-running, batch-not-ended…: where the batch stands"));
        properties.put("retryAfterSeconds", typed("integer", "429 and 503: as the Retry-After header"));
        properties.put("maxItems", typed("integer", "too-many-items: the limit"));
        properties.put("operations", typed("array", "unknown-operation, an unknown rate-limit operation: the known ones")
                .items(typed("string", null)));
        Schema<Object> schema = object(properties, List.of("type", "title", "status"));
        schema.description("application/problem+json (RFC 9457); other extension members may appear");
        schema.additionalProperties(Boolean.TRUE);
        return schema;
    }

    /** The JSON page of a batch's items: the items endpoint declares it by name next to its exports. */
    private static void pageOfItems(Components components) {
        var resolved = ModelConverters.getInstance(true).readAllAsResolvedSchema(
                new AnnotatedType(ResolvableType.forClassWithGenerics(Page.class, ItemView.class).getType()).resolveAsRef(true));
        resolved.referencedSchemas.forEach(components.getSchemas()::putIfAbsent); // PageItemView and what it names
    }

    private static Schema<Object> object(Map<String, ? extends Schema<?>> properties, List<String> required) {
        Schema<Object> schema = typed("object", null);
        properties.forEach(schema::addProperty);
        schema.required(required);
        return schema;
    }

    private static Schema<Object> typed(String type, @org.jspecify.annotations.Nullable String description) {
        Schema<Object> schema = new Schema<>();
        schema.type(type);
        schema.types(Set.of(type));
        return description == null ? schema : schema.description(description);
    }

    private static Schema<Object> nullable(String type, String description) {
        Schema<Object> schema = new Schema<>();
        schema.types(new java.util.LinkedHashSet<>(List.of(type, "null")));
        return schema.description(description);
    }

    private static Header header(String description) {
        return new Header().description(description).schema(typed("string", null));
    }
}
