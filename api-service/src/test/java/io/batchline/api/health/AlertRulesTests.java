package io.batchline.api.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/prometheus/alerts.yml} is valid ({@code promtool check rules}) and every rule
 * fires when it should and stays quiet when it should not ({@code promtool test rules
 * alerts.test.yml}). Debian's {@code prometheus} package provides promtool and {@code .ci/run}
 * installs it; without promtool the test fails (it is never skipped).
 */
class AlertRulesTests {

    static final Path RULES_DIR = Path.of("..", "deploy", "prometheus");

    @Test
    void alertRulesAreValid() throws Exception {
        assertThat(promtool("check", "rules", "alerts.yml")).contains("SUCCESS");
    }

    @Test
    void everyAlertRuleFiresWhenItShouldAndOnlyThen() throws Exception {
        assertThat(promtool("test", "rules", "alerts.test.yml")).contains("SUCCESS");
    }

    @Test
    void everyAlertRuleHasUnitTests() throws IOException {
        String rules = Files.readString(RULES_DIR.resolve("alerts.yml"));
        String tests = Files.readString(RULES_DIR.resolve("alerts.test.yml"));
        List<String> alerts = AlertMetricNames.alertNames(rules);
        assertThat(alerts).hasSize(12);
        for (String alert : alerts) {
            // one case where it fires (exp_alerts with content) and one where it must not
            assertThat(tests).as(alert).contains("alertname: " + alert + "\n        exp_alerts:\n          - ");
            assertThat(tests).as(alert).contains("alertname: " + alert + "\n        exp_alerts: []");
        }
    }

    /** Runs promtool in deploy/prometheus; fails (never skips) without it, and on a non-zero exit. */
    static String promtool(String... arguments) throws IOException, InterruptedException {
        Path promtool = java.util.stream.Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .map(dir -> Path.of(dir, "promtool")).filter(Files::isExecutable).findFirst().orElse(null);
        // never skipped: untested alert rules are not tested (.ci/run installs promtool)
        if (promtool == null) {
            throw new AssertionError("the alert rules' tests need promtool on the PATH: apt-get install prometheus");
        }
        List<String> command = new java.util.ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(RULES_DIR.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
