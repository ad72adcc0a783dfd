package io.batchline.api.console;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The overview's last hour: every 10 s one aggregate over the batch rows gives, per tenant,
 * the items ended so far and the items still pending; the difference between two samples
 * is the throughput. Kept in memory for an hour (360 samples per tenant); every API
 * instance samples the same database, so any instance draws the same chart (from the time
 * it started).
 */
@Component
class ThroughputSamples {

    static final String SAMPLE = """
            SELECT creator,
                   sum(succeeded + failed + cancelled + timed_out) AS ended,
                   coalesce(sum(total - succeeded - failed - cancelled - timed_out)
                            FILTER (WHERE status IN ('pending', 'processing', 'stopping')), 0) AS backlog
              FROM batches GROUP BY creator
            """;
    static final int KEEP = 360;

    /** One point of the chart: items ended per second since the previous sample, and the backlog. */
    record Point(Instant at, double itemsPerSecond, long backlog) {
    }

    private record Sample(Instant at, long ended, long backlog) {
    }

    private final JdbcClient jdbc;
    private final Map<String, Deque<Sample>> byTenant = new HashMap<>();

    ThroughputSamples(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Scheduled(fixedDelayString = "${batch.console.sample-interval:10s}", initialDelayString = "1s")
    void sample() {
        Instant now = Instant.now();
        Map<String, Sample> read = new HashMap<>();
        try {
            jdbc.sql(SAMPLE).query(rs -> {
                read.put(rs.getString(1), new Sample(now, rs.getLong(2), rs.getLong(3)));
            });
        } catch (RuntimeException e) {
            return; // the database is away: a gap in the chart
        }
        synchronized (byTenant) {
            read.forEach((tenant, sample) -> {
                Deque<Sample> samples = byTenant.computeIfAbsent(tenant, t -> new ArrayDeque<>());
                samples.addLast(sample);
                while (samples.size() > KEEP) {
                    samples.removeFirst();
                }
            });
        }
    }

    /**
     * The chart's points for one tenant, or for all when {@code tenant} is null. Rates are
     * summed from each tenant's own differences, so a tenant seen for the first time adds
     * its backlog, not its whole history, to the chart.
     */
    List<Point> points(@Nullable String tenant) {
        Map<Instant, double[]> merged = new java.util.TreeMap<>();
        synchronized (byTenant) {
            byTenant.forEach((t, samples) -> {
                if (tenant != null && !tenant.equals(t)) {
                    return;
                }
                Sample previous = null;
                for (Sample s : samples) {
                    double[] sums = merged.computeIfAbsent(s.at(), at -> new double[2]);
                    sums[1] += s.backlog();
                    if (previous != null) {
                        double seconds = Math.max(0.001, (s.at().toEpochMilli() - previous.at().toEpochMilli()) / 1000.0);
                        // retention removes ended batches: never a negative rate
                        sums[0] += Math.max(0, s.ended() - previous.ended()) / seconds;
                    }
                    previous = s;
                }
            });
        }
        List<Point> points = new ArrayList<>();
        boolean first = true;
        for (Map.Entry<Instant, double[]> e : merged.entrySet()) {
            if (!first) {
                points.add(new Point(e.getKey(), e.getValue()[0], Math.round(e.getValue()[1])));
            }
            first = false;
        }
        return points;
    }
}
