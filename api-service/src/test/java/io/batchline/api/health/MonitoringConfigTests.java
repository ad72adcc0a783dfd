package io.batchline.api.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * The compose {@code monitoring} profile hangs together without Docker: Prometheus's
 * configuration passes {@code promtool check config} and scrapes only services compose runs,
 * every file compose mounts exists, Grafana's dashboards use the provisioned data source and
 * are loaded from where compose mounts them, Alertmanager routes to a receiver it has, and no
 * secret has a default (each comes from {@code .env}, listed in {@code .env.example}).
 * Whether the dashboards' metrics exist is {@code MonitoringSystemTests}' job.
 */
class MonitoringConfigTests {

    private static final Path ROOT = Path.of("..");
    private static final Set<String> MONITORING = Set.of("prometheus", "alertmanager", "grafana", "postgres-exporter", "jaeger");
    private static final Pattern REQUIRED_VARIABLE = Pattern.compile("\\$\\{(\\w+):\\?");

    @Test
    void prometheusConfigurationIsValid() throws Exception {
        assertThat(AlertRulesTests.promtool("check", "config", "prometheus.yml")).contains("SUCCESS");
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesAndAlertsOnlyServicesComposeRuns() throws IOException {
        Set<String> services = services().keySet();
        Map<String, Object> config = yaml(ROOT.resolve("deploy/prometheus/prometheus.yml"));
        Set<String> hosts = new TreeSet<>();
        List<String> jobs = new ArrayList<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            jobs.add((String) job.get("job_name"));
            for (Map<String, Object> statics : (List<Map<String, Object>>) job.getOrDefault("static_configs", List.of())) {
                ((List<String>) statics.get("targets")).forEach(target -> hosts.add(target.split(":")[0]));
            }
            for (Map<String, Object> dns : (List<Map<String, Object>>) job.getOrDefault("dns_sd_configs", List.of())) {
                hosts.addAll((List<String>) dns.get("names"));
            }
        }
        Map<String, Object> alerting = (Map<String, Object>) config.get("alerting");
        for (Map<String, Object> manager : (List<Map<String, Object>>) alerting.get("alertmanagers")) {
            for (Map<String, Object> statics : (List<Map<String, Object>>) manager.get("static_configs")) {
                ((List<String>) statics.get("targets")).forEach(target -> hosts.add(target.split(":")[0]));
            }
        }
        assertThat(jobs).contains("batchline-api", "batchline-worker", "rabbitmq", "rabbitmq-queues", "postgres");
        assertThat(services).containsAll(hosts);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theMonitoringServicesAreInTheProfileAndMountFilesThatExist() throws IOException {
        Map<String, Map<String, Object>> services = services();
        assertThat(services.keySet()).containsAll(MONITORING);
        for (Map.Entry<String, Map<String, Object>> service : services.entrySet()) {
            List<String> profiles = (List<String>) service.getValue().get("profiles");
            if (MONITORING.contains(service.getKey())) {
                assertThat(profiles).as(service.getKey()).containsExactly("monitoring");
                assertThat((String) service.getValue().get("image")).as("%s image is pinned", service.getKey()).matches(".+:v?\\d+\\.\\d+\\.\\d+");
            } else {
                assertThat(profiles).as("%s runs without the profile", service.getKey()).isNull();
            }
            for (String volume : (List<String>) service.getValue().getOrDefault("volumes", List.of())) {
                if (volume.startsWith("./")) {
                    assertThat(ROOT.resolve(volume.split(":")[0])).as("%s mounts %s", service.getKey(), volume).exists();
                }
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void noSecretHasADefaultAndEveryRequiredOneIsInEnvExample() throws IOException {
        String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
        Map<String, Object> grafana = services().get("grafana");
        Map<String, Object> environment = (Map<String, Object>) grafana.get("environment");
        assertThat((String) environment.get("GF_SECURITY_ADMIN_PASSWORD")).startsWith("${GRAFANA_ADMIN_PASSWORD:?");
        assertThat(environment.get("GF_AUTH_ANONYMOUS_ORG_ROLE")).isEqualTo("Viewer");
        Map<String, Object> exporter = (Map<String, Object>) services().get("postgres-exporter").get("environment");
        assertThat((String) exporter.get("DATA_SOURCE_PASS")).startsWith("${POSTGRES_PASSWORD:?");

        String example = Files.readString(ROOT.resolve(".env.example"));
        Matcher required = REQUIRED_VARIABLE.matcher(compose);
        Set<String> variables = new TreeSet<>();
        while (required.find()) {
            variables.add(required.group(1));
        }
        assertThat(variables).contains("GRAFANA_ADMIN_PASSWORD");
        for (String variable : variables) {
            assertThat(example).as(".env.example sets %s", variable).containsPattern("(?m)^" + variable + "=\\S+");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void grafanaLoadsTheDashboardsWhereComposeMountsThemWithTheProvisionedDataSource() throws IOException {
        Map<String, Object> sources = yaml(ROOT.resolve("deploy/grafana/provisioning/datasources/datasources.yml"));
        Set<String> uids = new TreeSet<>();
        for (Map<String, Object> source : (List<Map<String, Object>>) sources.get("datasources")) {
            uids.add((String) source.get("uid"));
        }
        Map<String, Object> providers = yaml(ROOT.resolve("deploy/grafana/provisioning/dashboards/dashboards.yml"));
        String path = (String) ((Map<String, Object>) ((List<Map<String, Object>>) providers.get("providers")).get(0).get("options")).get("path");
        assertThat((List<String>) services().get("grafana").get("volumes")).contains("./deploy/grafana/dashboards:" + path + ":ro");

        JsonMapper json = JsonMapper.builder().build();
        Set<String> dashboardUids = new TreeSet<>();
        try (var files = Files.list(ROOT.resolve("deploy/grafana/dashboards"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                JsonNode dashboard = json.readTree(file.toFile());
                assertThat(dashboardUids.add(dashboard.get("uid").asString())).as("unique uid in %s", file).isTrue();
                for (JsonNode panel : dashboard.get("panels")) {
                    assertThat(uids).as("%s panel %s", file.getFileName(), panel.get("title")).contains(panel.get("datasource").get("uid").asString());
                    for (JsonNode target : panel.get("targets")) {
                        assertThat(uids).contains(target.get("datasource").get("uid").asString());
                    }
                }
            }
        }
        assertThat(dashboardUids).hasSize(4);
    }

    @Test
    @SuppressWarnings("unchecked")
    void alertmanagerRoutesToAReceiverItHas() throws IOException {
        Map<String, Object> config = yaml(ROOT.resolve("deploy/alertmanager/alertmanager.yml"));
        String receiver = (String) ((Map<String, Object>) config.get("route")).get("receiver");
        assertThat((List<Map<String, Object>>) config.get("receivers")).extracting(r -> r.get("name")).contains(receiver);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws IOException {
        return (Map<String, Map<String, Object>>) yaml(ROOT.resolve("docker-compose.yml")).get("services");
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        return new Yaml().load(Files.readString(file));
    }
}
