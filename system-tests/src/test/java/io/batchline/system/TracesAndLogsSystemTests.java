package io.batchline.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.system.OtlpReceiver.ReceivedSpan;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One batch followed through the running processes, as an operator would: its spans reach an
 * OTLP receiver and share the submission request's trace id in the API (submission, dispatch,
 * tracker) and the worker (handling), and the services' JSON log lines about it carry the
 * item fields.
 */
class TracesAndLogsSystemTests {

    private static final int ITEMS = 400;
    private static final Set<String> ITEM_PATH_LOGGERS = Set.of(
            "io.batchline.api.submission.BatchSubmission", "io.batchline.api.dispatch.ItemDispatcher",
            "io.batchline.api.tracking.ResultTracker", "io.batchline.worker.consumption.ItemChunkListener");

    private static OtlpReceiver receiver;
    private static BatchlineStack stack;
    private static long apiLogStart;
    private static long workerLogStart;
    private static UUID batch;
    private final JsonMapper json = JsonMapper.builder().build();

    @BeforeAll
    static void runOneBatch() throws IOException {
        receiver = new OtlpReceiver();
        apiLogStart = size(Path.of("target", "system-logs", "api.log"));
        workerLogStart = size(Path.of("target", "system-logs", "worker-1.log"));
        stack = new BatchlineStack(Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                "OTEL_BSP_SCHEDULE_DELAY", "200",
                // compose's log format: Elastic Common Schema JSON, one object per line
                "LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs",
                // the worker's per-item lines (retries, give-ups) are debug lines
                "LOGGING_LEVEL_IO_BATCHLINE_WORKER_CONSUMPTION", "DEBUG")).startApi();
        stack.startWorker();
        // every 40th item fails its first attempt, so the worker logs item-level retry lines
        String items = IntStream.range(0, ITEMS)
                .mapToObj(i -> i % 40 == 0 ? "{\"key\":\"k" + i + "\",\"failAttempts\":1}" : "{\"key\":\"k" + i + "\"}")
                .collect(Collectors.joining(","));
        batch = stack.submit("noop", items);
        JsonNode done = stack.awaitEnd(batch, Duration.ofMinutes(2));
        assertThat(done.get("status").asString()).isEqualTo("completed");
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void everyItemsSpansShareTheSubmissionsTraceAcrossTheApiAndTheWorker() {
        String id = batch.toString();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<ReceivedSpan> spans = receiver.spans();
            ReceivedSpan dispatch = only(spans, s -> s.name().equals("batch dispatch") && id.equals(s.attributes().get("batch.id")));
            String trace = dispatch.traceId();
            // the dispatch run continues the request that submitted the batch
            ReceivedSpan request = only(spans, s -> s.spanId().equals(dispatch.parentSpanId()));
            assertThat(request.traceId()).isEqualTo(trace);
            assertThat(request.service()).isEqualTo("batchline-api");
            assertThat(request.attributes().toString()).contains("/api/batches");

            List<ReceivedSpan> handled = spans.stream()
                    .filter(s -> s.name().equals("item chunk") && id.equals(s.attributes().get("batch.id"))).toList();
            List<ReceivedSpan> recorded = spans.stream()
                    .filter(s -> s.name().equals("record results") && id.equals(s.attributes().get("batch.id"))).toList();
            assertThat(handled).isNotEmpty().allSatisfy(s -> {
                assertThat(s.traceId()).isEqualTo(trace);
                assertThat(s.service()).isEqualTo("batchline-worker");
            });
            assertThat(recorded).isNotEmpty().allSatisfy(s -> {
                assertThat(s.traceId()).isEqualTo(trace);
                assertThat(s.service()).isEqualTo("batchline-api");
            });
            // each worker span continues the dispatch run (or, for a retry, the same context again)
            assertThat(handled).allSatisfy(s -> assertThat(s.parentSpanId()).isEqualTo(dispatch.spanId()));
            // and the tracker's spans continue worker spans
            Set<String> workerSpans = handled.stream().map(ReceivedSpan::spanId).collect(Collectors.toSet());
            assertThat(recorded).allSatisfy(s -> assertThat(workerSpans).contains(s.parentSpanId()));
            // every item lies in some worker span of this trace: follow any seq to its handling
            BitSet covered = new BitSet(ITEMS);
            for (ReceivedSpan span : handled) {
                covered.set(Integer.parseInt(span.attributes().get("seq.first")), Integer.parseInt(span.attributes().get("seq.last")) + 1);
            }
            assertThat(covered.cardinality()).as("items covered by worker spans").isEqualTo(ITEMS);
        });
        // health checks and scrapes (the stack polled /actuator/health throughout) make no spans
        assertThat(receiver.spans()).noneMatch(span -> span.attributes().toString().contains("/actuator"));
    }

    @Test
    void itemPathLogLinesAreJsonWithTheItemFields() throws IOException {
        String id = batch.toString();
        List<JsonNode> lines = new ArrayList<>();
        lines.addAll(jsonLines(stack.api().log(), apiLogStart));
        lines.addAll(jsonLines(stack.workers().getFirst().log(), workerLogStart));
        List<JsonNode> aboutBatch = lines.stream()
                .filter(line -> ITEM_PATH_LOGGERS.contains(text(line, "log", "logger")) && text(line, "message").contains(id))
                .toList();
        Set<String> loggers = aboutBatch.stream().map(line -> text(line, "log", "logger")).collect(Collectors.toSet());
        assertThat(loggers).as("item-path loggers that wrote about the batch").containsAll(ITEM_PATH_LOGGERS);
        assertThat(aboutBatch).allSatisfy(line -> {
            assertThat(line.path("batchId").asString()).as("batchId of %s", line).contains(id);
            assertThat(line.path("operation").asString()).as("operation of %s", line).isEqualTo("noop");
            // the batch's owner, as every item message carries it (x-tenant)
            assertThat(line.path("tenant").asString()).as("tenant of %s", line).isEqualTo("system-test");
            assertThat(line.path("traceId").asString()).as("traceId of %s", line).isNotBlank();
        });
        // the worker's retry lines name one item: its seq and attempt exactly
        List<JsonNode> retries = aboutBatch.stream().filter(line -> text(line, "message").contains("retries in")).toList();
        assertThat(retries).hasSize(ITEMS / 40).allSatisfy(line -> {
            assertThat(Integer.parseInt(line.path("seq").asString()) % 40).isZero();
            assertThat(line.path("attempt").asString()).isEqualTo("1");
        });
        // the dispatcher's and the tracker's lines name the batch; the dispatcher's the seq range it published
        assertThat(aboutBatch).filteredOn(line -> text(line, "log", "logger").endsWith("ItemDispatcher"))
                .allSatisfy(line -> assertThat(line.path("seq").asString()).isEqualTo("0.." + (ITEMS - 1)));
    }

    private List<JsonNode> jsonLines(Path log, long from) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : tail(log, from).split("\n")) {
            if (line.isBlank() || !line.startsWith("{")) {
                // the JVM's own warnings come before logging starts; a log line in the text format would fail below
                assertThat(line).as("a log line in %s that is not JSON", log).doesNotContainPattern("^\\d{4}-\\d\\d-\\d\\dT\\S+ +(INFO|WARN|ERROR)");
                continue;
            }
            lines.add(json.readTree(line));
        }
        assertThat(lines).as("JSON lines in %s", log).hasSizeGreaterThan(5);
        return lines;
    }

    private static String text(JsonNode node, String... path) {
        JsonNode at = node;
        for (String step : path) {
            at = at.path(step);
        }
        return at.isMissingNode() || at.isNull() ? "" : at.asString();
    }

    private static ReceivedSpan only(List<ReceivedSpan> spans, java.util.function.Predicate<ReceivedSpan> which) {
        List<ReceivedSpan> found = spans.stream().filter(which).toList();
        assertThat(found).hasSize(1);
        return found.getFirst();
    }

    private static long size(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }

    private static String tail(Path file, long from) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            in.seek(Math.min(from, in.length()));
            byte[] rest = new byte[(int) (in.length() - in.getFilePointer())];
            in.readFully(rest);
            return new String(rest, StandardCharsets.UTF_8);
        }
    }
}
