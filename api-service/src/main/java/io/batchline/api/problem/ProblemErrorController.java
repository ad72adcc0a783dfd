package io.batchline.api.problem;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Replaces Spring Boot's {@code /error} (JSON of its own shape) for what reaches the servlet
 * container's error page: failures outside Spring MVC's exception handling, such as an
 * exception thrown by a filter or a {@code sendError} from anywhere. The answer is
 * problem+json whatever the request's {@code Accept} says, and never shows the exception.
 */
@RestController
class ProblemErrorController implements ErrorController {

    private static final Logger log = LoggerFactory.getLogger(ProblemErrorController.class);

    @RequestMapping("${server.error.path:${error.path:/error}}")
    @Nullable ResponseEntity<ProblemDetail> error(HttpServletRequest request, HttpServletResponse response) {
        if (response.isCommitted()) {
            // a failure after the answer started (an export mid-stream): Tomcat includes this page and
            // then closes the connection; a problem here would only be appended to the rows
            return null;
        }
        int status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer code && code >= 400 && code < 600
                ? code : 500;
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        if (status >= 500) {
            log.error("Unhandled failure on {}", uri, (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION));
        }
        HttpStatus known = HttpStatus.resolve(status);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(status), status >= 500
                ? "an unexpected error occurred; it has been logged" : "the request could not be handled");
        problem.setType(URI.create(Problems.TYPE_BASE + (status >= 500 ? "internal" : status == 404 ? "not-found" : "bad-request")));
        problem.setTitle(known == null ? "Error" : known.getReasonPhrase());
        if (uri instanceof String path) {
            problem.setInstance(Problems.instance(path));
        }
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
