package io.batchline.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchline.testing.TestServices;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboards in {@code deploy/grafana/dashboards} and the rules in
 * {@code deploy/prometheus/alerts.yml} read metrics that really exist. The API and two workers
 * run as processes with a small batch that fails, retries and dead-letters items (so meters
 * registered on first use exist), Debian's {@code prometheus-postgres-exporter} runs against
 * this run's database with {@code deploy/postgres-exporter/queries.yaml}, and a real Prometheus
 * scrapes them and the broker's rabbitmq_prometheus plugin (node-wide on a shared broker, which
 * is fine for names) and loads the alert rules. Then every panel query, variable query and rule
 * must parse and evaluate in that Prometheus, and every metric name they use must be among the
 * scraped ones; a failure names the dashboard and panel, or the rule, and the metric.
 */
class MonitoringSystemTests {

    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Path WORK = Path.of("target", "monitoring");
    private static final Pattern ALERT = Pattern.compile("(?m)^\\s*- alert: (\\S+)");
    private static final Pattern BROKER_FAMILIES = Pattern.compile("(?m)^\\s*family: (\\[[^]]*])");

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static BatchlineStack stack;
    private static ToolProcess exporter;
    private static ToolProcess prometheus;

    @BeforeAll
    static void startEverything() throws IOException {
        // a limit far above what the batch needs: the limiter's gauge and wait timer exist only for limited operations
        stack = new BatchlineStack(Map.of("WORKER_RATE_LIMITS", "noop=100000/1s")).startApi();
        stack.startWorker();
        stack.startWorker();

        TestServices.Postgres db = TestServices.get().postgres();
        exporter = ToolProcess.start("prometheus-postgres-exporter", "prometheus-postgres-exporter",
                List.of("--web.listen-address=127.0.0.1:{port}",
                        "--extend.query-path=" + DEPLOY.resolve("postgres-exporter/queries.yaml").toAbsolutePath()),
                Map.of("DATA_SOURCE_URI", db.host() + ":" + db.port() + "/" + db.database() + "?sslmode=disable",
                        "DATA_SOURCE_USER", db.username(), "DATA_SOURCE_PASS", db.password()),
                "/metrics");

        Files.createDirectories(WORK);
        Path config = WORK.resolve("prometheus.yml");
        Files.writeString(config, scrapeConfig());
        prometheus = ToolProcess.start("prometheus", "prometheus",
                List.of("--config.file=" + config.toAbsolutePath(),
                        "--storage.tsdb.path=" + WORK.resolve("data-" + UUID.randomUUID()).toAbsolutePath(),
                        "--web.listen-address=127.0.0.1:{port}"),
                Map.of(), "/-/ready");
    }

    @AfterAll
    static void stopEverything() {
        for (AutoCloseable closeable : new AutoCloseable[] {prometheus, exporter, stack}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // keep stopping the rest
            }
        }
    }

    /**
     * The jobs of {@code deploy/prometheus/prometheus.yml} with this run's addresses, its rule
     * file, and the broker's metric families taken from it (so the dashboards are checked
     * against what the compose Prometheus would scrape); this run's vhost only.
     */
    private static String scrapeConfig() throws IOException {
        String deployed = Files.readString(DEPLOY.resolve("prometheus/prometheus.yml"));
        Matcher families = BROKER_FAMILIES.matcher(deployed);
        assertThat(families.find()).as("prometheus.yml asks the broker for metric families").isTrue();
        URI broker = URI.create(TestServices.get().brokerMetricsUrl());
        String workers = stack.workers().stream().map(w -> "\"" + hostPort(w.managementUrl("")) + "\"")
                .collect(Collectors.joining(", "));
        return """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - "%s"
                scrape_configs:
                  - job_name: batchline-api
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets: ["%s"]
                  - job_name: batchline-worker
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets: [%s]
                  - job_name: rabbitmq
                    static_configs:
                      - targets: ["%s"]
                  - job_name: rabbitmq-queues
                    metrics_path: /metrics/detailed
                    params:
                      family: %s
                      vhost: ["%s"]
                    static_configs:
                      - targets: ["%s"]
                  - job_name: postgres
                    static_configs:
                      - targets: ["%s"]
                """.formatted(DEPLOY.resolve("prometheus/alerts.yml").toAbsolutePath(), hostPort(stack.api().managementUrl("")),
                workers, broker.getAuthority(), families.group(1), TestServices.get().rabbit().vhost(), broker.getAuthority(),
                exporter.target());
    }

    @Test
    void everyDashboardPanelAndAlertRuleReadsMetricsThatAreScraped() throws Exception {
        // failures (failRate), retries through the 1 s tier (failAttempts 1) and items that give
        // up after attempt 2 into batch.dead.noop (failAttempts 3)
        String items = IntStream.range(0, 10).mapToObj(i -> "{\"n\":" + i + ",\"failRate\":0.2"
                + (i < 4 ? ",\"failAttempts\":1" : i < 6 ? ",\"failAttempts\":3" : "") + "}").collect(Collectors.joining(","));
        BatchlineStack.Answer submitted = stack.post("/api/batches", "application/json",
                "{\"operation\":\"noop\",\"creator\":\"system-test\",\"options\":{\"maxAttempts\":2},\"items\":[" + items + "]}");
        assertThat(submitted.status()).as("%s", submitted.body()).isEqualTo(202);
        JsonNode done = stack.awaitEnd(UUID.fromString(submitted.body().get("batchId").asString()), Duration.ofMinutes(2));
        assertThat(done.get("counts").get("failed").asInt()).isPositive();

        Map<String, Set<String>> uses = new LinkedHashMap<>();
        Map<String, String> queries = new LinkedHashMap<>();
        readDashboards(uses, queries);
        Set<String> recorded = readRules(uses, queries);

        uses.forEach((where, names) -> assertThat(names).as("%s reads no metric", where).isNotEmpty());
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(downTargets()).as("scrape targets that are not up").isEmpty();
            Set<String> scraped = new TreeSet<>();
            prometheusGet("/api/v1/label/__name__/values").get("data").forEach(name -> scraped.add(name.asString()));
            List<String> missing = new ArrayList<>();
            uses.forEach((where, names) -> names.stream()
                    .filter(name -> !scraped.contains(name) && !recorded.contains(name))
                    .forEach(name -> missing.add(where + " uses " + name + ", which no scraped target exports")));
            assertThat(missing).as("metric names missing from the scrape").isEmpty();
        });

        List<String> refused = new ArrayList<>();
        queries.forEach((where, query) -> {
            JsonNode answer = prometheusGet("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
            if (!"success".equals(answer.get("status").asString())) {
                refused.add(where + ": " + answer.get("error") + " in " + query);
            }
        });
        assertThat(refused).as("queries Prometheus refused").isEmpty();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> broken = new ArrayList<>();
            for (JsonNode group : prometheusGet("/api/v1/rules").get("data").get("groups")) {
                for (JsonNode rule : group.get("rules")) {
                    if (!"ok".equals(rule.get("health").asString())) {
                        broken.add(rule.get("name").asString() + ": " + rule.get("health").asString() + " " + rule.get("lastError"));
                    }
                }
            }
            assertThat(broken).as("rules that do not evaluate cleanly").isEmpty();
        });
    }

    /** Every panel's targets and every variable query of every dashboard, Grafana's variables replaced. */
    private static void readDashboards(Map<String, Set<String>> uses, Map<String, String> queries) throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(DEPLOY.resolve("grafana/dashboards"))) {
            files = listing.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files.stream().map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrder("overview.json", "workers.json", "broker.json", "database.json");
        for (Path file : files) {
            JsonNode dashboard = JSON.readTree(file.toFile());
            List<JsonNode> panels = new ArrayList<>();
            collectPanels(dashboard.get("panels"), panels);
            assertThat(panels).as("%s has panels", file).isNotEmpty();
            for (JsonNode panel : panels) {
                JsonNode targets = panel.get("targets");
                assertThat(targets).as("%s panel %s has queries", file.getFileName(), panel.get("title")).isNotNull();
                for (JsonNode target : targets) {
                    String where = "dashboard " + file.getFileName() + ", panel \"" + panel.get("title").asString()
                            + "\", query " + target.get("refId").asString();
                    String expr = PromqlMetricNames.withGrafanaVariables(target.get("expr").asString());
                    uses.put(where, PromqlMetricNames.of(expr));
                    queries.put(where, expr);
                }
            }
            JsonNode variables = dashboard.path("templating").path("list");
            for (JsonNode variable : variables) {
                JsonNode query = variable.get("query");
                String text = query.isObject() ? query.get("query").asString() : query.asString();
                uses.put("dashboard " + file.getFileName() + ", variable $" + variable.get("name").asString(),
                        PromqlMetricNames.ofVariableQuery(PromqlMetricNames.withGrafanaVariables(text)));
            }
        }
    }

    private static void collectPanels(JsonNode panels, List<JsonNode> into) {
        if (panels == null) {
            return;
        }
        for (JsonNode panel : panels) {
            if ("row".equals(panel.path("type").asString())) {
                collectPanels(panel.get("panels"), into);
            } else {
                into.add(panel);
            }
        }
    }

    /**
     * The rules as Prometheus loaded them from alerts.yml (all of them: the names must match the
     * file's), with their queries; returns the names recording rules produce.
     */
    private static Set<String> readRules(Map<String, Set<String>> uses, Map<String, String> queries) throws IOException {
        Set<String> inFile = new TreeSet<>();
        Matcher alert = ALERT.matcher(Files.readString(DEPLOY.resolve("prometheus/alerts.yml")));
        while (alert.find()) {
            inFile.add(alert.group(1));
        }
        Set<String> loaded = new TreeSet<>();
        Set<String> recorded = new TreeSet<>();
        for (JsonNode group : prometheusGet("/api/v1/rules").get("data").get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                String name = rule.get("name").asString();
                String query = rule.get("query").asString();
                if ("recording".equals(rule.get("type").asString())) {
                    recorded.add(name);
                } else {
                    loaded.add(name);
                }
                String where = rule.get("type").asString() + " rule " + name;
                uses.put(where, PromqlMetricNames.of(query));
                queries.put(where, query);
            }
        }
        assertThat(loaded).as("alerting rules Prometheus loaded from alerts.yml").isEqualTo(inFile).isNotEmpty();
        return recorded;
    }

    private static List<String> downTargets() {
        List<String> down = new ArrayList<>();
        for (JsonNode target : prometheusGet("/api/v1/targets").get("data").get("activeTargets")) {
            if (!"up".equals(target.get("health").asString())) {
                down.add(target.get("scrapeUrl").asString() + ": " + target.get("health").asString() + " " + target.get("lastError"));
            }
        }
        return down;
    }

    private static JsonNode prometheusGet(String pathAndQuery) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(prometheus.url(pathAndQuery)))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String hostPort(String url) {
        return URI.create(url).getAuthority();
    }
}
