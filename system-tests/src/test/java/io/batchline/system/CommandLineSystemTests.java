package io.batchline.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** bin/batchline run as a separate process against the API and two workers. */
class CommandLineSystemTests {

    private static final Pattern BATCH_ID = Pattern.compile("batch ([0-9a-f-]{36}) accepted");
    private static BatchlineStack stack;
    private static CliProcess cli;

    @TempDir
    Path dir;

    @BeforeAll
    static void startStack() {
        stack = new BatchlineStack(Map.of("BATCH_MAX_ITEMS", "20000")).startApi();
        stack.startWorker();
        stack.startWorker();
        cli = new CliProcess(stack.api().url(""), BatchlineStack.ADMIN_KEY);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    private Path csv(String name, String header, int rows, java.util.function.IntFunction<String> row) throws IOException {
        Path file = dir.resolve(name);
        try (var writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            writer.write(header + "\n");
            for (int i = 0; i < rows; i++) {
                writer.write(row.apply(i) + "\n");
            }
        }
        return file;
    }

    private static UUID acceptedId(CliProcess.Run run) {
        Matcher id = BATCH_ID.matcher(run.out());
        assertThat(id.find()).as("%s", run).isTrue();
        return UUID.fromString(id.group(1));
    }

    @Test
    void tenThousandCsvRowsFollowedToTheEndExitZeroWithExactCounts() throws IOException {
        Path file = csv("ten-thousand.csv", "key,n,weight", 10_000, i -> "row-" + i + "," + i + "," + (i % 7) + ".5");

        CliProcess.Run run = cli.run("submit", file.toString(), "--operation", "noop", "--follow", "--interval", "1");

        assertThat(run.exitCode()).as("%s", run).isZero();
        UUID batch = acceptedId(run);
        assertThat(run.out()).contains("batch " + batch + " completed: 10000 of 10000 items succeeded")
                .contains("progress ").doesNotContain("\033").doesNotContain("\r");
        JsonNode view = stack.get("/api/batches/" + batch).body();
        assertThat(view.get("status").asString()).isEqualTo("completed");
        assertThat(view.get("counts").get("succeeded").asInt()).isEqualTo(10_000);
        stack.assertCountersEqualItemRows(batch);
        // the CSV's cells arrived typed: integers, decimals and strings
        JsonNode item = stack.get("/api/batches/" + batch + "/items?limit=1").body().get("data").get(0);
        assertThat(item.get("result").toString()).contains("\"key\":\"row-0\"").contains("\"n\":0").contains("\"weight\":0.5");
    }

    @Test
    void plannedFailuresGiveTheSomeFailedExitCodeAndTheItemsShowThem() throws IOException {
        Path file = csv("fail-rate.csv", "key,failRate", 200, i -> "f-" + i + ",0.1");

        CliProcess.Run run = cli.run("submit", file.toString(), "--operation", "noop", "--follow", "--poll");

        assertThat(run.exitCode()).as("%s", run).isEqualTo(3);
        UUID batch = acceptedId(run);
        assertThat(run.out()).contains("completed: 180 of 200 items succeeded, 20 failed")
                .contains("batchline items " + batch + " --status failed");

        CliProcess.Run items = cli.run("items", batch.toString(), "--status", "failed", "--limit", "15");
        assertThat(items.exitCode()).as("%s", items).isZero();
        List<String> lines = items.out().lines().toList();
        assertThat(lines.getFirst()).startsWith("SEQ").contains("ERROR");
        assertThat(lines.subList(1, 16)).allSatisfy(line -> assertThat(line).contains("failed").contains("noop.planned_failure"));
        String cursor = lines.get(16).replaceFirst("^next cursor: (\\S+).*$", "$1");
        CliProcess.Run next = cli.run("items", batch.toString(), "--status", "failed", "--limit", "15", "--cursor", cursor, "--output", "json");
        JsonNode page = JsonMapper.builder().build().readTree(next.out());
        assertThat(page.get("data")).hasSize(5);
        assertThat(page.get("nextCursor").isNull()).isTrue();

        // retry runs the 20 failed items again; they fail again by plan
        CliProcess.Run retry = cli.run("retry", batch.toString(), "--follow");
        assertThat(retry.exitCode()).as("%s", retry).isEqualTo(3);
        assertThat(retry.out()).contains("20 failed items retried");
    }

    @Test
    void badRowsAreReportedWithIndexLineAndFieldAndNothingIsCreated() throws IOException {
        Path file = csv("bad.csv", "key,failRate,delayMs", 4, i -> switch (i) {
            case 1 -> "b,2,0";
            case 3 -> "d,0,-5";
            default -> "ok-" + i + ",0,0";
        });
        int batchesBefore = stack.queryInt("SELECT count(*) FROM batches");

        CliProcess.Run run = cli.run("submit", file.toString(), "--operation", "noop", "--follow");

        assertThat(run.exitCode()).as("%s", run).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("(400 invalid-items)").contains("nothing was stored")
                .containsPattern("item 1 \\(line 3\\): failRate: .+")
                .containsPattern("item 3 \\(line 5\\): delayMs: .+");

        // a cell that does not fit --schema stops the upload on this side: usage error, nothing stored
        Path typed = csv("typed.csv", "key,delayMs", 3, i -> i == 2 ? "x,soon" : "k-" + i + "," + i);
        CliProcess.Run local = cli.run("submit", typed.toString(), "--operation", "noop", "--schema", "delayMs=integer");
        assertThat(local.exitCode()).as("%s", local).isEqualTo(2);
        assertThat(local.err()).contains("line 4, column 'delayMs': 'soon' is not an integer").contains("nothing was submitted");

        assertThat(stack.queryInt("SELECT count(*) FROM batches")).isEqualTo(batchesBefore);
    }

    @Test
    void aCancelledBatchGivesTheStoppedExitCodeAndStatusItemsExportAndListShowIt() throws IOException {
        // 5,000 items of 10 s: the workers run a few hundred at a time, so the cancel comes while
        // most wait in the queue, and the stop waits only for the ones in hand
        Path file = csv("slow.ndjson", "{\"key\":\"slow-0\",\"delayMs\":10000}", 4999,
                i -> "{\"key\":\"slow-" + (i + 1) + "\",\"delayMs\":10000}");
        CliProcess.Run submitted = cli.run("submit", file.toString(), "--operation", "noop", "--quiet",
                "--options", "maxAttempts=2", "--metadata", "ticket=CLI-1");
        assertThat(submitted.exitCode()).as("%s", submitted).isZero();
        String id = submitted.out().strip();
        assertThat(id).matches("[0-9a-f-]{36}");

        CliProcess.Run cancel = cli.run("cancel", id, "--follow");
        assertThat(cancel.exitCode()).as("%s", cancel).isEqualTo(4);
        assertThat(cancel.out()).contains("batch " + id + " stopping (as cancelled)").contains("batch " + id + " cancelled: ");
        assertThat(cli.run("watch", id).exitCode()).isEqualTo(4);
        assertThat(cli.run("watch", id, "--poll", "--quiet").exitCode()).isEqualTo(4);

        CliProcess.Run status = cli.run("status", id);
        assertThat(status.out()).containsPattern("status\\s+cancelled").containsPattern("items\\s+5000").containsPattern("operation\\s+noop");
        JsonNode json = JsonMapper.builder().build().readTree(cli.run("status", id, "--output", "json").out());
        assertThat(json.get("status").asString()).isEqualTo("cancelled");
        assertThat(json.get("options").get("maxAttempts").asInt()).isEqualTo(2);
        assertThat(json.get("metadata").get("ticket").asString()).isEqualTo("CLI-1");
        int cancelled = json.get("counts").get("cancelled").asInt();
        assertThat(cancelled).isPositive();

        Path csvExport = dir.resolve("export.csv");
        CliProcess.Run export = cli.run("export", id, "--file", csvExport.toString());
        assertThat(export.exitCode()).as("%s", export).isZero();
        List<String> rows = Files.readAllLines(csvExport);
        assertThat(rows.getFirst()).isEqualTo("seq,key,status,attempts,error_code,error_message,finished_at,result");
        assertThat(rows).hasSize(5001);
        assertThat(rows.stream().filter(row -> row.contains(",cancelled,")).count()).isEqualTo(cancelled);

        Path ndjsonExport = dir.resolve("cancelled.ndjson");
        CliProcess.Run ndjson = cli.run("export", id, "--format", "ndjson", "--status", "cancelled", "--file", ndjsonExport.toString());
        assertThat(ndjson.exitCode()).as("%s", ndjson).isZero();
        assertThat(Files.readAllLines(ndjsonExport)).hasSize(cancelled).allSatisfy(line -> assertThat(line).contains("\"status\":\"cancelled\""));
        assertThat(cli.run("export", id, "--file", csvExport.toString()).exitCode()).as("refuses to overwrite").isEqualTo(2);

        // a newer batch: list pages newest first, one batch a page
        UUID newer = acceptedId(cli.run("submit", csv("one.csv", "key", 1, i -> "one").toString(), "--operation", "noop", "--follow"));
        CliProcess.Run list = cli.run("list", "--limit", "1", "--operation", "noop");
        assertThat(list.exitCode()).as("%s", list).isZero();
        assertThat(list.out()).startsWith("ID").contains(newer.toString()).doesNotContain(id).contains("next cursor: ");
        String cursor = list.out().lines().filter(line -> line.startsWith("next cursor: ")).findFirst().orElseThrow()
                .replaceFirst("^next cursor: (\\S+).*$", "$1");
        CliProcess.Run page2 = cli.run("list", "--limit", "1", "--operation", "noop", "--cursor", cursor);
        assertThat(page2.out()).as("%s", page2).contains(id);
        CliProcess.Run found = cli.run("list", "--query", "CLI-1");
        assertThat(found.out()).contains(id).contains("cancelled").contains("(last page)");

        CliProcess.Run diagnose = cli.run("diagnose", id);
        assertThat(diagnose.exitCode()).as("%s", diagnose).isZero();
        assertThat(diagnose.out()).containsPattern("status\\s+cancelled \\(finished\\)");
    }

    @Test
    void errorsAndVerboseOutputNeverShowTheKeyAndUnknownBatchesAreApiErrors() {
        CliProcess.Run verbose = cli.run("status", UUID.randomUUID().toString(), "--verbose");
        assertThat(verbose.exitCode()).isEqualTo(1);
        assertThat(verbose.err()).contains("> GET ").contains("< 404").contains("(404 not-found)");
        CliProcess.Run wrongKey = cli.run(Map.of("BATCHLINE_API_KEY", "bl_wrong_key_for_the_test"), "list", "-v");
        assertThat(wrongKey.exitCode()).isEqualTo(1);
        assertThat(wrongKey.err()).contains("401").contains("check the API key");
        CliProcess.Run config = cli.run("config");
        assertThat(config.out()).contains("from BATCHLINE_API_KEY").contains("********");
        for (CliProcess.Run run : List.of(verbose, wrongKey, config)) {
            assertThat(run.out() + run.err()).doesNotContain(BatchlineStack.ADMIN_KEY).doesNotContain("bl_wrong_key_for_the_test");
        }
        CliProcess.Run unreachable = cli.run(Map.of("BATCHLINE_URL", "http://127.0.0.1:9"), "list");
        assertThat(unreachable.exitCode()).isEqualTo(5);
        assertThat(cli.run("status", "not-an-id").exitCode()).isEqualTo(2);
        assertThat(cli.run("submit", "missing.csv", "--operation", "noop").exitCode()).isEqualTo(2);
    }

    @Test
    void onATerminalTheProgressBarRedrawsInPlaceUpToOneHundredPercent() throws IOException {
        Path file = csv("tty.csv", "key,delayMs", 400, i -> "t-" + i + ",25");
        String socket = "batchline-cli-test-" + UUID.randomUUID();
        List<String> start = new ArrayList<>(List.of("tmux", "-L", socket, "new-session", "-d", "-x", "120", "-y", "30"));
        cli.environment().forEach((name, value) -> start.addAll(List.of("-e", name + "=" + value)));
        start.add("bash --norc --noprofile");
        try {
            tmux(start);
            tmux(List.of("tmux", "-L", socket, "send-keys", cli.launcher() + " submit " + file
                    + " --operation noop --options chunkSize=1,maxConcurrency=1 --follow; echo exit=$?", "Enter"));
            Pattern bar = Pattern.compile("^\\[([#-]{10,30})\\]\\s+(\\d+\\.\\d)%\\s+succeeded (\\d+)");
            List<String> percents = new ArrayList<>();
            List<Integer> rows = new ArrayList<>();
            String last = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
                String pane = tmux(List.of("tmux", "-L", socket, "capture-pane", "-p"));
                List<String> lines = pane.lines().toList();
                for (int row = 0; row < lines.size(); row++) {
                    Matcher m = bar.matcher(lines.get(row));
                    if (m.find()) {
                        rows.add(row);
                        if (percents.isEmpty() || !percents.getLast().equals(m.group(2))) {
                            percents.add(m.group(2));
                        }
                    }
                }
                return pane;
            }, pane -> pane.lines().anyMatch(line -> line.matches("exit=\\d+")));
            assertThat(last).as(last).contains("exit=0").contains("completed: 400 of 400 items succeeded");
            assertThat(percents).as("the bar showed progress before the end").hasSizeGreaterThanOrEqualTo(2).last().isEqualTo("100.0");
            // one row, redrawn: every capture found the bar on the same line, and only once
            assertThat(rows).as("rows the bar was seen on").containsOnly(rows.getFirst());
            assertThat(last.lines().filter(line -> bar.matcher(line).find()).count()).isEqualTo(1);
            assertThat(last).contains("[" + "#".repeat(30) + "] 100.0%");
        } finally {
            tmux(List.of("tmux", "-L", socket, "kill-server"));
        }
    }

    private static String tmux(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " hung");
            }
            if (process.exitValue() != 0 && !command.contains("kill-server")) {
                throw new AssertionError(command + " failed: " + output);
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
