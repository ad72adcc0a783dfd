package io.batchline.api.console;

import io.batchline.api.query.BatchReader;
import io.batchline.api.query.BatchView;
import io.batchline.api.query.ItemView;
import io.batchline.api.query.Page;
import io.batchline.api.security.Caller;
import io.batchline.api.security.ConsoleSessions;
import io.batchline.model.status.BatchStatus;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The console's pages. Each is rendered with the data of the moment (so it works without
 * JavaScript); the page's script then follows progress streams and refreshes the live
 * parts from fragments of the same templates.
 */
@Controller
class ConsolePages {

    private static final String[] ACTIVE = Arrays.stream(BatchStatus.values()).filter(s -> !s.isTerminal())
            .map(BatchStatus::wireName).toArray(String[]::new);
    private static final List<String> STATUSES = Arrays.stream(BatchStatus.values()).map(BatchStatus::wireName).toList();

    private final BatchReader reader;
    private final ConsoleReads reads;
    private final ThroughputSamples samples;

    ConsolePages(BatchReader reader, ConsoleReads reads, ThroughputSamples samples) {
        this.reader = reader;
        this.reads = reads;
        this.samples = samples;
    }

    /** What every page's layout needs: who is signed in and the CSRF token its scripts echo. */
    @ModelAttribute
    void layout(Model model, HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response) {
        // scripts and styles only from this origin; the pages are never framed
        response.setHeader("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                + "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "same-origin");
        Object session = request.getAttribute(ConsoleSessions.REQUEST_ATTRIBUTE);
        if (session instanceof ConsoleSessions.Session s) {
            model.addAttribute("me", s.caller());
            model.addAttribute("csrf", s.csrf());
        }
    }

    @GetMapping({"/ui", "/ui/"})
    String overview(Caller caller, Model model) {
        overviewModel(caller, model);
        return "ui/overview";
    }

    /** The overview's live part, re-fetched by its script when the batch stream says something changed. */
    @GetMapping("/ui/fragments/overview")
    String overviewLive(Caller caller, Model model) {
        overviewModel(caller, model);
        return "ui/overview :: live";
    }

    private void overviewModel(Caller caller, Model model) {
        String scope = caller.tenantScope();
        model.addAttribute("stats", reader.stats(scope, null));
        // the same read as the overview stream's: one query for every unfinished status
        model.addAttribute("active", reader.withStatus(ACTIVE, scope, 20).stream().map(BatchReader.RoundView::view).toList());
        model.addAttribute("failures", reads.recentFailures(scope));
        model.addAttribute("chart", Chart.of(samples.points(scope)));
    }

    @GetMapping("/ui/batches")
    String batches(@RequestParam(required = false) @Nullable String status,
                   @RequestParam(required = false) @Nullable String operation,
                   @RequestParam(required = false) @Nullable String tenant,
                   @RequestParam(required = false) @Nullable String from,
                   @RequestParam(required = false) @Nullable String to,
                   @RequestParam(required = false) @Nullable String q,
                   @RequestParam(required = false) @Nullable String cursor,
                   Caller caller, Model model) {
        String s = blankToNull(status);
        if (s != null && !STATUSES.contains(s)) {
            s = null;
        }
        String query = blankToNull(q);
        if (query != null && query.length() > 500) {
            query = query.substring(0, 500);
        }
        // a search that is exactly one visible batch id goes straight to the batch
        if (query != null) {
            Optional<UUID> id = uuid(query);
            if (id.isPresent() && reader.batch(id.get()).filter(b -> caller.canSee(b.creator())).isPresent()) {
                return "redirect:/ui/batches/" + id.get();
            }
        }
        String creator = caller.isAdmin() ? blankToNull(tenant) : caller.tenant();
        Page<BatchView> page;
        try {
            page = reader.batches(new BatchReader.ListFilter(creator, s, blankToNull(operation), day(from, 0), day(to, 1), query),
                    blankToNull(cursor), 25);
        } catch (RuntimeException e) {
            // a tampered cursor: start again from the first page
            page = reader.batches(new BatchReader.ListFilter(creator, s, blankToNull(operation), day(from, 0), day(to, 1), query),
                    null, 25);
        }
        model.addAttribute("page", page);
        model.addAttribute("statuses", STATUSES);
        model.addAttribute("operations", reads.operations(caller.tenantScope()));
        model.addAttribute("filter", Map.of("status", s == null ? "" : s, "operation", nz(operation), "tenant", nz(tenant),
                "from", nz(from), "to", nz(to), "q", query == null ? "" : query));
        return "ui/batches";
    }

    @GetMapping("/ui/batches/{batchId}")
    String batch(@PathVariable String batchId, @RequestParam(required = false) @Nullable String cursor,
                 @RequestParam(required = false) @Nullable String code, Caller caller, Model model) {
        batchModel(batchId, cursor, code, caller, model);
        return "ui/batch";
    }

    /** The batch page's failures part, re-fetched by its script once the batch has moved on. */
    @GetMapping("/ui/fragments/batches/{batchId}/failures")
    String failures(@PathVariable String batchId, Caller caller, Model model) {
        batchModel(batchId, null, null, caller, model);
        return "ui/batch :: failures";
    }

    private void batchModel(String batchId, @Nullable String cursor, @Nullable String code, Caller caller, Model model) {
        UUID id = uuid(batchId).orElseThrow(NotFound::new);
        // another tenant's batch is answered like a missing one
        BatchView batch = reader.batch(id).filter(b -> caller.canSee(b.creator())).orElseThrow(NotFound::new);
        model.addAttribute("batch", batch);
        model.addAttribute("terminal", BatchStatus.fromWireName(batch.status()).isTerminal());
        model.addAttribute("topErrors", reads.topErrors(id));
        Page<ItemView> failed;
        try {
            failed = reader.items(id, "failed", blankToNull(cursor), 25);
        } catch (RuntimeException e) {
            failed = reader.items(id, "failed", null, 25);
        }
        model.addAttribute("failed", failed);
    }

    /** No such batch, or one of another tenant: the same page for both. */
    static final class NotFound extends RuntimeException {
        NotFound() {
            super("not found", null, false, false);
        }
    }

    @org.springframework.web.bind.annotation.ExceptionHandler(NotFound.class)
    @org.springframework.web.bind.annotation.ResponseStatus(HttpStatus.NOT_FOUND)
    String notFound(Model model, HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response) {
        layout(model, request, response);
        return "ui/not-found";
    }

    private static Optional<UUID> uuid(String text) {
        try {
            return text.length() == 36 ? Optional.of(UUID.fromString(text)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static @Nullable Instant day(@Nullable String date, int plusDays) {
        try {
            return date == null || date.isBlank() ? null
                    : LocalDate.parse(date).plusDays(plusDays).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static String nz(@Nullable String value) {
        return value == null ? "" : value;
    }

    /** The overview's chart as SVG polylines (drawn on the server: no chart library in the page). */
    record Chart(String throughput, String backlog, double maxRate, long maxBacklog, int points, String span) {

        static final int WIDTH = 600;
        static final int HEIGHT = 120;

        static Chart of(List<ThroughputSamples.Point> points) {
            double maxRate = Math.max(1, points.stream().mapToDouble(ThroughputSamples.Point::itemsPerSecond).max().orElse(1));
            long maxBacklog = Math.max(1, points.stream().mapToLong(ThroughputSamples.Point::backlog).max().orElse(1));
            StringBuilder rate = new StringBuilder();
            StringBuilder backlog = new StringBuilder();
            for (int i = 0; i < points.size(); i++) {
                double x = points.size() == 1 ? WIDTH : i * (double) WIDTH / (points.size() - 1);
                ThroughputSamples.Point p = points.get(i);
                rate.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", x, HEIGHT - p.itemsPerSecond() / maxRate * (HEIGHT - 4)));
                backlog.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", x, HEIGHT - (double) p.backlog() / maxBacklog * (HEIGHT - 4)));
            }
            String span = points.isEmpty() ? "no samples yet"
                    : "last " + Math.max(1, Duration.between(points.getFirst().at(), points.getLast().at()).toMinutes()) + " min";
            return new Chart(rate.toString().strip(), backlog.toString().strip(), Math.round(maxRate * 10) / 10.0, maxBacklog,
                    points.size(), span);
        }
    }
}
