package io.batchline.system;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, found with a small lexer rather than a regular
 * expression over the whole text, because names share their shape with function names,
 * aggregation operators, label names in {@code by (...)} and label values in strings.
 * Grafana's template variables are replaced first ({@link #withGrafanaVariables}).
 */
final class PromqlMetricNames {

    /** Words that are never metric names: operators, modifiers, aggregations and literals. */
    private static final Set<String> KEYWORDS = Set.of(
            "and", "or", "unless", "bool", "offset", "inf", "nan", "atan2",
            "by", "without", "on", "ignoring", "group_left", "group_right",
            "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
            "bottomk", "topk", "quantile", "limitk", "limit_ratio");
    /** Modifiers followed by a list of label names in parentheses, which are not metrics. */
    private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    private static final Pattern NAME_MATCHER = Pattern.compile("__name__\\s*=\\s*\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*)\\)\\s*$", Pattern.DOTALL);
    private static final Pattern QUERY_RESULT = Pattern.compile("^\\s*query_result\\((.*)\\)\\s*$", Pattern.DOTALL);

    private PromqlMetricNames() {
    }

    /** The metric names {@code promql} selects, in order of appearance. */
    static Set<String> of(String promql) {
        Set<String> names = new LinkedHashSet<>();
        String s = promql;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = afterString(s, i);
            } else if (c == '#') {
                int end = s.indexOf('\n', i);
                i = end < 0 ? s.length() : end;
            } else if (c == '{') {
                int end = closing(s, i, '{', '}');
                Matcher name = NAME_MATCHER.matcher(s.substring(i, end));
                if (name.find()) {
                    names.add(name.group(1));
                }
                i = end;
            } else if (c == '[') {
                i = closing(s, i, '[', ']');
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
                i = afterNumber(s, i);
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                int end = i;
                while (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_' || s.charAt(end) == ':')) {
                    end++;
                }
                String word = s.substring(i, end);
                int next = end;
                while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
                    next++;
                }
                boolean call = next < s.length() && s.charAt(next) == '(';
                if (LABEL_LISTS.contains(word) && call) {
                    i = closing(s, next, '(', ')');
                } else {
                    if (!call && !KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                        names.add(word);
                    }
                    i = end;
                }
            } else {
                i++;
            }
        }
        return names;
    }

    /**
     * A Grafana variable query's metric names: {@code label_values(selector, label)} reads the
     * selector's metric, {@code query_result(expr)} the expression's; {@code label_names()},
     * {@code metrics(...)} and a bare {@code label_values(label)} read none.
     */
    static Set<String> ofVariableQuery(String query) {
        Matcher labelValues = LABEL_VALUES.matcher(query);
        if (labelValues.matches()) {
            String arguments = labelValues.group(1);
            int comma = lastTopLevelComma(arguments);
            return comma < 0 ? Set.of() : of(arguments.substring(0, comma));
        }
        Matcher result = QUERY_RESULT.matcher(query);
        if (result.matches()) {
            return of(result.group(1));
        }
        return Set.of();
    }

    /**
     * {@code expr} with Grafana's variables replaced by values Prometheus accepts: interval
     * variables ({@code $__rate_interval}, {@code $__interval}, {@code $__range}) by {@code 1m},
     * the dashboard's own ({@code $operation}, {@code ${queue}}, {@code [[database]]}) by
     * {@code .*}, which is what "All" sends in the regular-expression matchers they are used in.
     */
    static String withGrafanaVariables(String expr) {
        return expr
                .replaceAll("\\$__\\w+_ms\\b|\\$\\{__\\w+_ms}", "60000")
                .replaceAll("\\$__\\w+_s\\b|\\$\\{__\\w+_s}", "60")
                .replaceAll("\\$__\\w+|\\$\\{__\\w+(:[^}]*)?}", "1m")
                .replaceAll("\\$\\{[A-Za-z_]\\w*(:[^}]*)?}|\\$[A-Za-z_]\\w*|\\[\\[[A-Za-z_]\\w*(:[^]]*)?]]", ".*");
    }

    private static int afterString(String s, int start) {
        char quote = s.charAt(start);
        int i = start + 1;
        while (i < s.length() && s.charAt(i) != quote) {
            i += s.charAt(i) == '\\' && quote != '`' ? 2 : 1;
        }
        return Math.min(i + 1, s.length());
    }

    /** The index after the bracket that closes the one at {@code start}, skipping strings. */
    private static int closing(String s, int start, char open, char close) {
        int depth = 0;
        int i = start;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = afterString(s, i);
                continue;
            }
            if (c == open) {
                depth++;
            } else if (c == close && --depth == 0) {
                return i + 1;
            }
            i++;
        }
        return s.length();
    }

    /** Numbers (1, 0.5, 1e9, 1e-3, 0x1f) and durations (5m, 1h30m). */
    private static int afterNumber(String s, int start) {
        int i = start;
        while (i < s.length()) {
            char c = s.charAt(i);
            boolean exponentSign = (c == '+' || c == '-') && (s.charAt(i - 1) == 'e' || s.charAt(i - 1) == 'E')
                    && !s.substring(start, i).startsWith("0x");
            if (Character.isLetterOrDigit(c) || c == '.' || c == '_' || exponentSign) {
                i++;
            } else {
                break;
            }
        }
        return i;
    }

    private static int lastTopLevelComma(String arguments) {
        int depth = 0;
        int last = -1;
        for (int i = 0; i < arguments.length(); i++) {
            char c = arguments.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = afterString(arguments, i) - 1;
            } else if (c == '(' || c == '{' || c == '[') {
                depth++;
            } else if (c == ')' || c == '}' || c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                last = i;
            }
        }
        return last;
    }
}
