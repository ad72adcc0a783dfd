package io.batchline.api.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every alert in {@code alerts.yml} has a runbook in the README's "Monitoring > Runbooks" and
 * a {@code runbook_url} annotation pointing at it; every runbook points at the diagnosis, the
 * console and dashboard panels that exist; and no runbook is left for an alert that is gone.
 */
class RunbookTests {

    private static final Path README = Path.of("..", "README.md");
    private static final Path DASHBOARDS = Path.of("..", "deploy", "grafana", "dashboards");
    /** How the runbooks name a panel: *dashboard* › "panel title". */
    private static final Pattern PANEL = Pattern.compile("\\*(\\w+)\\* ›\\s+\"([^\"]+)\"");

    @Test
    void everyAlertHasARunbookAndAnnotationPointingAtIt() throws IOException {
        Map<String, String> runbookUrls = runbookUrls();
        Map<String, String> runbooks = runbooks(monitoringSection());
        assertThat(runbookUrls).hasSize(12);
        for (Map.Entry<String, String> alert : runbookUrls.entrySet()) {
            String name = alert.getKey();
            assertThat(runbooks).as("README runbook heading '#### %s' under Monitoring > Runbooks", name).containsKey(name);
            assertThat(alert.getValue()).as("runbook_url of %s", name).isEqualTo("README.md#" + anchor(name));
            String runbook = runbooks.get(name);
            assertThat(runbook).as("runbook of %s", name)
                    .contains("/diagnosis").containsAnyOf("console", "/ui");
            assertThat(PANEL.matcher(runbook).find()).as("runbook of %s names a dashboard panel", name).isTrue();
        }
        assertThat(runbooks.keySet()).as("runbooks without an alert").isEqualTo(runbookUrls.keySet());
    }

    @Test
    void everyPanelTheMonitoringSectionNamesExists() throws IOException {
        Map<String, Set<String>> titles = new LinkedHashMap<>();
        JsonMapper json = JsonMapper.builder().build();
        for (String dashboard : List.of("overview", "workers", "broker", "database")) {
            Set<String> panels = new TreeSet<>();
            for (JsonNode panel : json.readTree(DASHBOARDS.resolve(dashboard + ".json").toFile()).get("panels")) {
                panels.add(panel.get("title").asString());
            }
            titles.put(dashboard, panels);
        }
        String section = monitoringSection();
        Matcher reference = PANEL.matcher(section);
        int references = 0;
        while (reference.find()) {
            references++;
            assertThat(titles).as("dashboard %s", reference.group(1)).containsKey(reference.group(1));
            assertThat(titles.get(reference.group(1))).as("panel of %s", reference.group(1))
                    .contains(reference.group(2).replaceAll("\\s+", " "));
        }
        assertThat(references).isGreaterThan(12);
    }

    @Test
    void monitoringComesRightBeforeConfiguration() throws IOException {
        List<String> chapters = Files.readAllLines(README).stream().filter(line -> line.startsWith("## ")).toList();
        assertThat(chapters.get(chapters.indexOf("## Configuration") - 1)).isEqualTo("## Monitoring");
    }

    /** alert name → its runbook_url annotation, in file order. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> runbookUrls() throws IOException {
        Map<String, Object> rules = new Yaml().load(Files.readString(AlertRulesTests.RULES_DIR.resolve("alerts.yml")));
        Map<String, String> urls = new LinkedHashMap<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                if (rule.containsKey("alert")) {
                    Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
                    urls.put((String) rule.get("alert"), annotations == null ? null : (String) annotations.get("runbook_url"));
                }
            }
        }
        return urls;
    }

    private static String monitoringSection() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("\n## Monitoring\n");
        assertThat(start).as("README has a '## Monitoring' section").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** The '#### Name' entries under '### Runbooks', with their text. */
    private static Map<String, String> runbooks(String section) {
        int start = section.indexOf("\n### Runbooks\n");
        assertThat(start).as("Monitoring has a '### Runbooks' subsection").isNotNegative();
        int end = section.indexOf("\n### ", start + 1);
        String runbooks = section.substring(start, end < 0 ? section.length() : end);
        Map<String, String> entries = new LinkedHashMap<>();
        List<String> parts = new ArrayList<>(List.of(runbooks.split("\n#### ")));
        parts.remove(0);
        for (String part : parts) {
            int newline = part.indexOf('\n');
            entries.put(part.substring(0, newline).strip(), part.substring(newline + 1));
        }
        return entries;
    }

    /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
    private static String anchor(String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
    }
}
