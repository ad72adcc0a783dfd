package io.batchline.system;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What {@link PromqlMetricNames} reads as a metric name, and what it must not. */
class PromqlMetricNamesTests {

    @Test
    void functionsAggregationsAndGroupingLabelsAreNotMetrics() {
        assertThat(PromqlMetricNames.of(
                "histogram_quantile(0.95, sum by (le, operation) (rate(batchline_worker_chunk_seconds_bucket{operation=~\"a|b\"}[5m])))"))
                .containsExactly("batchline_worker_chunk_seconds_bucket");
        assertThat(PromqlMetricNames.of("sum(rate(x_total[1m])) without (instance) / ignoring(status) group_left(tier) y"))
                .containsExactly("x_total", "y");
        assertThat(PromqlMetricNames.of("topk(10, max by (schema, table) (pg_batchline_table_total_bytes))"))
                .containsExactly("pg_batchline_table_total_bytes");
    }

    @Test
    void keywordsLiteralsNumbersAndDurationsAreNotMetrics() {
        assertThat(PromqlMetricNames.of(
                "batchline_batches{status=\"processing\"} > 0 and on() sum(rate(batchline_tracker_results_total[10m] offset 1h30m)) == bool 0"))
                .containsExactly("batchline_batches", "batchline_tracker_results_total");
        assertThat(PromqlMetricNames.of("a / 1e9 > 1e-3 or b < Inf unless c != NaN"))
                .containsExactly("a", "b", "c");
        assertThat(PromqlMetricNames.of("rate(m[5m:30s]) @ start()")).containsExactly("m");
    }

    @Test
    void labelValuesInStringsAndNameMatchersAreHandled() {
        assertThat(PromqlMetricNames.of("label_replace(up{job=\"rate\"}, \"dst\", \"$1\", \"src\", \"(sum)\")"))
                .containsExactly("up");
        assertThat(PromqlMetricNames.of("{__name__=\"batch_pending_operations\", instance=~\".*\"}"))
                .containsExactly("batch_pending_operations");
        assertThat(PromqlMetricNames.of("max by (queue) (batchline_dead_letters{queue!~\"batch\\\\.dead\\\\.(results|unrecorded)\"}) > 0"))
                .containsExactly("batchline_dead_letters");
    }

    @Test
    void grafanaVariablesAreReplacedWithValuesPrometheusAccepts() {
        String expr = PromqlMetricNames.withGrafanaVariables(
                "sum(rate(m{operation=~\"$operation\",queue=~\"${queue:regex}\",db=~\"[[database]]\"}[$__rate_interval])) * $__range_s");
        assertThat(expr).isEqualTo("sum(rate(m{operation=~\".*\",queue=~\".*\",db=~\".*\"}[1m])) * 60");
        assertThat(PromqlMetricNames.withGrafanaVariables("label_replace(m, \"a\", \"$1\", \"b\", \"(.*)\")"))
                .as("capture-group references stay").contains("\"$1\"");
    }

    @Test
    void variableQueriesReadTheirSelectorsMetric() {
        assertThat(PromqlMetricNames.ofVariableQuery("label_values(batchline_worker_items_total{status=\"failed\"}, operation)"))
                .containsExactly("batchline_worker_items_total");
        assertThat(PromqlMetricNames.ofVariableQuery("label_values(operation)")).isEmpty();
        assertThat(PromqlMetricNames.ofVariableQuery("query_result(topk(5, sum by (queue) (rabbitmq_detailed_queue_messages)))"))
                .containsExactly("rabbitmq_detailed_queue_messages");
    }
}
