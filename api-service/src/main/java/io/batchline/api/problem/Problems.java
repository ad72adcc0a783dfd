package io.batchline.api.problem;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every failure into an {@code application/problem+json} answer: the API's own
 * rejections with their item-level details, Spring MVC's (wrong media type, bad path
 * variable) through the base class, and anything unexpected into a 500 without internals.
 */
@RestControllerAdvice
class Problems extends ResponseEntityExceptionHandler {

    static final String TYPE_BASE = "https://batchline.dev/problems/";
    private static final Logger log = LoggerFactory.getLogger(Problems.class);

    /** The request's path as a problem's {@code instance}, or null if it is no URI. */
    static @Nullable URI instance(String requestUri) {
        try {
            return URI.create(requestUri);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @ExceptionHandler(BatchRejected.class)
    ResponseEntity<ProblemDetail> rejected(BatchRejected rejection, HttpServletRequest request) {
        ProblemDetail problem = rejection.toProblem();
        problem.setInstance(instance(request.getRequestURI()));
        // preset, so the problem is written whatever the Accept header says (even unparseable)
        ResponseEntity.BodyBuilder response = ResponseEntity.status(rejection.status()).contentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (problem.getProperties() != null && problem.getProperties().get("retryAfterSeconds") instanceof Number seconds) {
            response.header(HttpHeaders.RETRY_AFTER, String.valueOf(seconds.longValue()));
        }
        return response.body(problem);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> badParameter(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        return rejected(BatchRejected.badRequest("invalid-parameter", "Invalid parameter",
                "parameter '" + e.getName() + "' has an invalid value"), request);
    }

    /**
     * Tomcat refuses to decode the query string (invalid percent-encoding or UTF-8, such as
     * {@code ?cursor=%ff}) when a parameter is first read, inside the handler's argument resolution.
     */
    @ExceptionHandler(InvalidParameterException.class)
    ResponseEntity<ProblemDetail> undecodableParameters(InvalidParameterException e, HttpServletRequest request) {
        HttpStatus status = e.getErrorCode() >= 400 && e.getErrorCode() < 500 && HttpStatus.resolve(e.getErrorCode()) != null
                ? HttpStatus.valueOf(e.getErrorCode()) : HttpStatus.BAD_REQUEST;
        return rejected(new BatchRejected(status, "invalid-parameter", "Invalid parameter",
                "the query string is not valid: parameters must be percent-encoded UTF-8"), request);
    }

    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class,
            CannotCreateTransactionException.class})
    ResponseEntity<ProblemDetail> databaseDown(RuntimeException e, HttpServletRequest request, HttpServletResponse response) {
        answeredAlready(e, response);
        log.warn("Database unavailable for {}: {}", request.getRequestURI(), e.getMessage());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "the database is unavailable; nothing was stored, try again shortly");
        problem.setType(URI.create(TYPE_BASE + "unavailable"));
        problem.setTitle("Service unavailable");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "5")
                .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request, HttpServletResponse response) throws Exception {
        answeredAlready(e, response);
        log.error("Unexpected failure on {} {}", request.getMethod(), request.getRequestURI(), e);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "an unexpected error occurred; it has been logged");
        problem.setType(URI.create(TYPE_BASE + "internal"));
        problem.setTitle("Internal error");
        return ResponseEntity.internalServerError().contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    /**
     * A failure after the answer started (an export whose database went away mid-stream)
     * cannot become a problem: one written now would be appended to the rows and look like
     * their end. Rethrown, it reaches the container, which closes the connection at once,
     * so the client sees a truncated answer.
     */
    private static <E extends Exception> void answeredAlready(E e, HttpServletResponse response) throws E {
        if (response.isCommitted()) {
            log.warn("Failure after the answer started; closing the connection: {}", e.toString());
            throw e;
        }
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        // a body cut off by its size limit while it was read is refused for its size, not its syntax
        for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof BatchRejected rejected) {
                return ResponseEntity.status(rejected.status()).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                        .body(rejected.toProblem());
            }
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "the request body is not valid JSON for this endpoint");
        problem.setType(URI.create(TYPE_BASE + "malformed-json"));
        problem.setTitle("Malformed request body");
        return ResponseEntity.badRequest().contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "the request is invalid");
        problem.setType(URI.create(TYPE_BASE + "invalid-request"));
        problem.setTitle("Invalid request");
        problem.setProperty("errors", ex.getFieldErrors().stream()
                .map(error -> new FieldProblem(error.getField(), error.getDefaultMessage()))
                .toList());
        return ResponseEntity.badRequest().contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    /** Spring MVC's own refusals (406, 415, 404 of an unknown path...) as problem+json whatever the Accept header says. */
    @Override
    protected ResponseEntity<Object> createResponseEntity(@Nullable Object body, HttpHeaders headers, HttpStatusCode statusCode,
            WebRequest request) {
        HttpHeaders answer = new HttpHeaders();
        answer.addAll(headers);
        if (body instanceof ProblemDetail) {
            answer.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        }
        return new ResponseEntity<>(body, answer, statusCode);
    }

    record FieldProblem(String field, @org.jspecify.annotations.Nullable String message) {
    }
}
