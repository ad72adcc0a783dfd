package io.batchline.api.health;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The alert names and the metric names the expressions of {@code alerts.yml} use. */
final class AlertMetricNames {

    private static final Pattern ALERT = Pattern.compile("(?m)^\\s*- alert: (\\S+)");
    private static final Pattern EXPR = Pattern.compile("(?ms)^\\s*expr: (\\|\\s*\\n(.*?)|(.*?))\\n\\s*(for|annotations):");
    private static final Pattern METRIC = Pattern.compile("\\b((?:batchline|batch)_[a-z_]+)\\b");

    private AlertMetricNames() {
    }

    static List<String> alertNames(String rules) {
        List<String> names = new java.util.ArrayList<>();
        Matcher m = ALERT.matcher(rules);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Metric names, with a histogram's {@code _bucket} suffix dropped (the base name is what is registered). */
    static Set<String> metricNames(String rules) {
        Set<String> names = new LinkedHashSet<>();
        Matcher expr = EXPR.matcher(rules);
        while (expr.find()) {
            Matcher metric = METRIC.matcher(expr.group(1));
            while (metric.find()) {
                names.add(metric.group(1));
            }
        }
        return names;
    }
}
