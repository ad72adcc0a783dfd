package io.batchline.api.problem;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * A request the API refuses, with everything its problem+json answer needs. Thrown before
 * or inside the submission transaction, so a rejection never leaves anything behind.
 */
public class BatchRejected extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String title;
    private final Map<String, Object> extra;

    public BatchRejected(HttpStatus status, String type, String title, String detail, Map<String, Object> extra) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.extra = extra;
    }

    public BatchRejected(HttpStatus status, String type, String title, String detail) {
        this(status, type, title, detail, Map.of());
    }

    public static BatchRejected badRequest(String type, String title, String detail) {
        return new BatchRejected(HttpStatus.BAD_REQUEST, type, title, detail);
    }

    public static BatchRejected invalidItems(List<ItemViolation> shown, int invalidItems) {
        String detail = invalidItems + (invalidItems == 1 ? " item is" : " items are") + " invalid"
                + (shown.size() < invalidItems ? "; the first " + shown.size() + " violations are listed" : "")
                + "; nothing was stored";
        return new BatchRejected(HttpStatus.BAD_REQUEST, "invalid-items", "Invalid items", detail,
                Map.of("errors", shown, "invalidItems", invalidItems));
    }

    public static BatchRejected notFound(String what) {
        return new BatchRejected(HttpStatus.NOT_FOUND, "not-found", "Not found", what + " does not exist");
    }

    public HttpStatus status() {
        return status;
    }

    /** The members RFC 9457 defines; an extra property by one of these names would be written twice. */
    private static final java.util.Set<String> STANDARD_MEMBERS = java.util.Set.of("type", "title", "status", "detail", "instance");

    /**
     * The problem; an extra property named like a standard member (a batch's {@code status}
     * next to the HTTP {@code status}) goes out as {@code batchStatus} and so on, so the
     * answer never holds the same member twice with different values.
     */
    public ProblemDetail toProblem() {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, getMessage());
        problem.setType(URI.create(Problems.TYPE_BASE + type));
        problem.setTitle(title);
        extra.forEach((name, value) -> problem.setProperty(STANDARD_MEMBERS.contains(name)
                ? "batch" + Character.toUpperCase(name.charAt(0)) + name.substring(1) : name, value));
        return problem;
    }
}
