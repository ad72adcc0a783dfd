package io.batchline.api.submission;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.api.RealServicesTest;
import io.batchline.model.messaging.Topology;
import io.batchline.model.operations.Operations;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every kind of bad submission gets a 4xx problem+json that says what is wrong (item index
 * and field where there is one), and leaves the database and the broker exactly as they were.
 */
class BadInputIntegrationTests extends RealServicesTest {

    private record Snapshot(int batches, int items, long queued) {
    }

    private Snapshot before;

    private Snapshot snapshot() {
        long queued = Operations.names().stream().mapToLong(op -> messagesIn(Topology.itemQueue(op))).sum();
        return new Snapshot(count("SELECT count(*) FROM batches"), count("SELECT count(*) FROM batch_items"), queued);
    }

    @BeforeEach
    void remember() {
        // batches of other test classes may still be on their way to the broker
        await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM batches WHERE dispatched < total AND status IN ('pending', 'processing')") == 0);
        before = snapshot();
    }

    @AfterEach
    void nothingWasStoredOrPublished() {
        assertThat(snapshot()).isEqualTo(before);
    }

    private static void assertProblem(Answer answer, int status, String type) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.body().get("type").asString()).endsWith("/" + type);
        assertThat(answer.body().get("detail").asString()).isNotBlank();
        assertThat(answer.body().toString()).doesNotContain("Exception").doesNotContain("at io.batchline");
    }

    private static String noopItems(int n) {
        return IntStream.range(0, n).mapToObj(i -> "{\"key\":\"k" + i + "\"}").collect(Collectors.joining(","));
    }

    @Test
    void rejectsMalformedJson() {
        Answer answer = postJson("/api/batches", "{\"operation\":\"noop\",\"items\":[{\"key\":1},");
        assertProblem(answer, 400, "malformed-json");
        assertThat(answer.body().get("detail").asString()).contains("line 1");
    }

    @Test
    void rejectsMalformedJsonAfterValidItemsWithoutStoringThem() {
        assertProblem(postJson("/api/batches", "{\"operation\":\"noop\",\"items\":[" + noopItems(20) + ",{oops}]}"),
                400, "malformed-json");
    }

    @Test
    void rejectsContentAfterTheBatchObject() {
        assertProblem(postJson("/api/batches", "{\"operation\":\"noop\",\"items\":[{}]} trailing"), 400, "malformed-json");
    }

    @Test
    void rejectsUnknownOperationAndListsTheKnownOnes() {
        Answer answer = postJson("/api/batches", "{\"operation\":\"rm-rf\",\"items\":[{}]}");
        assertProblem(answer, 400, "unknown-operation");
        assertThat(answer.body().get("detail").asString()).contains("rm-rf").contains("content.update-price");
    }

    @Test
    void rejectsEmptyItems() {
        assertProblem(postJson("/api/batches", "{\"operation\":\"noop\",\"items\":[]}"), 400, "empty-batch");
    }

    @Test
    void rejectsMissingItems() {
        assertProblem(postJson("/api/batches", "{\"operation\":\"noop\"}"), 400, "empty-batch");
    }

    @Test
    void rejectsMissingOperation() {
        assertProblem(postJson("/api/batches", "{\"items\":[{}]}"), 400, "missing-operation");
    }

    @Test
    void rejectsMoreItemsThanTheLimit() {
        Answer answer = postJson("/api/batches", "{\"operation\":\"noop\",\"items\":[" + noopItems(201) + "]}");
        assertProblem(answer, 413, "too-many-items");
        assertThat(answer.body().get("maxItems").asInt()).isEqualTo(200);
    }

    @Test
    void rejectsAnItemOverTheSizeLimitByIndex() {
        String big = "{\"key\":\"" + "x".repeat(3000) + "\"}";
        Answer answer = postJson("/api/batches", "{\"operation\":\"noop\",\"items\":[{},{}," + big + "]}");
        assertProblem(answer, 413, "item-too-large");
        assertThat(answer.body().get("errors").get(0).get("index").asInt()).isEqualTo(2);
    }

    @Test
    void rejectsABodyOverTheByteLimit() {
        String items = IntStream.range(0, 150).mapToObj(i -> "{\"key\":\"" + "y".repeat(500) + "\"}").collect(Collectors.joining(","));
        Answer answer = postJson("/api/batches", "{\"operation\":\"noop\",\"items\":[" + items + "]}");
        assertProblem(answer, 413, "body-too-large");
        assertThat(answer.body().get("maxBodyBytes").asLong()).isEqualTo(64 * 1024);
    }

    @Test
    void rejectsAStreamedBodyOverTheByteLimitWhileReadingIt() {
        String items = IntStream.range(0, 150).mapToObj(i -> "{\"key\":\"" + "y".repeat(500) + "\"}").collect(Collectors.joining("\n"));
        byte[] body = ("{\"operation\":\"noop\"}\n" + items + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        // no Content-Length: the limit can only be found while the body streams in
        Answer answer = sendStreamed("/api/batches", "application/x-ndjson", body);
        assertProblem(answer, 413, "body-too-large");
    }

    @Test
    void namesEveryInvalidItemAndField() {
        String body = """
                {"operation":"content.update-price","items":[
                  {"contentId":"ok","newPrice":1},
                  {"contentId":"","newPrice":1},
                  {"contentId":"c","newPrice":-1},
                  {"contentId":"c","newPrice":"free"},
                  {"contentId":"c","newPrice":1,"extra":true},
                  "not an object"
                ]}""";
        Answer answer = postJson("/api/batches", body);
        assertProblem(answer, 400, "invalid-items");
        assertThat(answer.body().get("invalidItems").asInt()).isEqualTo(5);
        assertThat(answer.body().get("errors").valueStream().map(e -> e.get("index").asInt() + ":" + e.get("field").asString(null)))
                .containsExactly("1:contentId", "2:newPrice", "3:newPrice", "4:extra", "5:null");
    }

    @Test
    void namesTheItemAndFieldOfEveryBadHttpCall() {
        String body = """
                {"operation":"http.call","items":[
                  {"method":"GET","url":"https://api.example.com/ok"},
                  {"method":"FETCH","url":"https://api.example.com/"},
                  {"method":"GET","url":"file:///etc/passwd"},
                  {"method":"GET","url":"https://user:secret@api.example.com/"},
                  {"method":"POST","url":"https://api.example.com/","headers":{"X-Evil":"a\\r\\nHost: internal"}},
                  {"method":"POST","url":"https://api.example.com/","headers":{"Bad\\nName":"x"}},
                  {"method":"POST","url":"https://api.example.com/","headers":{"Host":"169.254.169.254"}},
                  {"method":"GET","url":"https://api.example.com/","expectStatus":[200, 700]},
                  {"method":"GET","url":"https://api.example.com/","follow":true}
                ]}""";
        // (a body over HttpCallItem.MAX_BODY_CHARS is refused as "body" too: ItemValidatorTests; this context's items are capped at 2 KB)
        Answer answer = postJson("/api/batches", body);
        assertProblem(answer, 400, "invalid-items");
        assertThat(answer.body().get("invalidItems").asInt()).isEqualTo(8);
        assertThat(answer.body().get("errors").valueStream().map(e -> e.get("index").asInt() + ":" + e.get("field").asString(null)))
                .containsExactly("1:method", "2:url", "3:url", "4:headers[X-Evil]", "5:headers[Bad\nName]", "6:headers[Host]",
                        "7:expectStatus[1]", "8:follow");
        assertThat(answer.body().toString()).doesNotContain("secret");
    }

    @Test
    void capsTheListedViolationsAtOneHundred() {
        String items = IntStream.range(0, 150).mapToObj(i -> "{\"contentId\":\"c\",\"newPrice\":-1}").collect(Collectors.joining(","));
        Answer answer = postJson("/api/batches", "{\"operation\":\"content.update-price\",\"items\":[" + items + "]}");
        assertProblem(answer, 400, "invalid-items");
        assertThat(answer.body().get("errors").size()).isEqualTo(100);
        assertThat(answer.body().get("invalidItems").asInt()).isEqualTo(150);
    }

    @Test
    void rejectsTextThatPostgresCannotStore() {
        Answer answer = postJson("/api/batches", "{\"operation\":\"noop\",\"items\":[{\"key\":\"a\\u0000b\"}]}");
        assertProblem(answer, 400, "invalid-items");
        assertThat(answer.body().get("errors").get(0).get("field").asString()).isEqualTo("key");
    }

    @Test
    void rejectsMetadataThatPostgresCannotStore() {
        Answer answer = postJson("/api/batches", "{\"operation\":\"noop\",\"metadata\":{\"note\":\"a\\u0000b\"},\"items\":[{}]}");
        assertProblem(answer, 400, "invalid-request");
        assertThat(answer.body().get("detail").asString()).contains("metadata.note");
    }

    @Test
    void rejectsUnknownTopLevelField() {
        assertProblem(postJson("/api/batches", "{\"operation\":\"noop\",\"itmes\":[{}]}"), 400, "unknown-field");
    }

    @Test
    void rejectsOutOfRangeAndUnknownOptions() {
        Answer zero = postJson("/api/batches", "{\"operation\":\"noop\",\"options\":{\"maxAttempts\":0},\"items\":[{}]}");
        assertProblem(zero, 400, "invalid-options");
        assertThat(zero.body().get("detail").asString()).contains("options.maxAttempts");
        Answer huge = postJson("/api/batches", "{\"operation\":\"noop\",\"options\":{\"maxAttempts\":10000},\"items\":[{}]}");
        assertProblem(huge, 400, "invalid-options");
        Answer unknown = postJson("/api/batches", "{\"operation\":\"noop\",\"options\":{\"retries\":3},\"items\":[{}]}");
        assertProblem(unknown, 400, "invalid-options");
        assertThat(unknown.body().get("detail").asString()).contains("retries");
    }

    @Test
    void rejectsBodyThatIsNotAnObject() {
        assertProblem(postJson("/api/batches", "[1,2,3]"), 400, "malformed-json");
    }

    @Test
    void rejectsUnsupportedMediaType() {
        Answer answer = post("/api/batches", "text/plain", "operation=noop");
        assertThat(answer.status()).isEqualTo(415);
        assertThat(answer.contentType()).startsWith("application/problem+json");
    }

    @Test
    void rejectsInvalidNdjsonItemByLine() {
        Answer answer = post("/api/batches", "application/x-ndjson",
                "{\"operation\":\"content.update-price\"}\n{\"contentId\":\"a\",\"newPrice\":1}\n{\"contentId\":\"b\"}\n");
        assertProblem(answer, 400, "invalid-items");
        JsonNode error = answer.body().get("errors").get(0);
        assertThat(error.get("index").asInt()).isEqualTo(1);
        assertThat(error.get("field").asString()).isEqualTo("newPrice");
    }

    @Test
    void rejectsSeedPriceUpdateWithNegativePriceOrNoContents() {
        Answer negative = postJson("/api/batches/batch-update-price", "{\"creator\":\"SP2\",\"contentIds\":[\"a\"],\"newPrice\":-5}");
        assertProblem(negative, 400, "invalid-request");
        assertThat(negative.body().get("errors").get(0).get("field").asString()).isEqualTo("newPrice");
        assertProblem(postJson("/api/batches/batch-update-price", "{\"creator\":\"SP2\",\"contentIds\":[],\"newPrice\":5}"),
                400, "invalid-request");
        assertProblem(postJson("/api/batches/batch-update-price", "{\"creator\":\"SP2\",\"contentIds\":[\"a\"],"), 400, "malformed-json");
    }

    @Test
    void answersUnknownBatchAndBadQueryParametersWithProblems() {
        assertProblem(get("/api/batches/00000000-0000-7000-8000-000000000000"), 404, "not-found");
        assertProblem(get("/api/batches/00000000-0000-7000-8000-000000000000/items"), 404, "not-found");
        assertProblem(get("/api/batches/not-a-uuid"), 400, "invalid-parameter");
        assertProblem(get("/api/batches?status=sleeping"), 400, "invalid-parameter");
        assertProblem(get("/api/batches?limit=0"), 400, "invalid-parameter");
        assertProblem(get("/api/batches?cursor=garbage"), 400, "invalid-cursor");
    }
}
