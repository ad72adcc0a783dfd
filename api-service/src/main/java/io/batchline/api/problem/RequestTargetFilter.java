package io.batchline.api.problem;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.RequestPath;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses, before anything else reads them, requests whose path or {@code Content-Type}
 * the rest of the stack would trip over with an exception (a 500) instead of a refusal:
 * a path Spring cannot decode (a malformed escape in a {@code ;} path parameter, which
 * Tomcat passes on undecoded) or that is no URI (the problem's {@code instance}), and a
 * {@code Content-Type} that is no single concrete media type ({@code *}{@code /*},
 * {@code application/*}, garbage, an unknown charset), and a query string holding a NUL
 * ({@code %00}: no parameter of this API may hold one, and PostgreSQL cannot store or
 * compare it). Decoding the query parameters is left to Spring MVC, which reads them;
 * {@link Problems} answers their decoding failures.
 */
class RequestTargetFilter extends OncePerRequestFilter {

    private final JsonMapper json;

    RequestTargetFilter(JsonMapper json) {
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String uri = request.getRequestURI();
        try {
            RequestPath.parse(uri, request.getContextPath());
            URI.create(uri);
        } catch (IllegalArgumentException e) {
            reject(response, HttpStatus.BAD_REQUEST, "invalid-path", "Invalid path",
                    "the path is not validly percent-encoded UTF-8");
            return;
        }
        String query = request.getQueryString();
        if (query != null && query.toLowerCase(java.util.Locale.ROOT).contains("%00")) {
            reject(response, HttpStatus.BAD_REQUEST, "invalid-parameter", "Invalid parameter",
                    "query parameters must not contain the NUL character");
            return;
        }
        String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
        if (contentType != null) {
            MediaType mediaType;
            try {
                mediaType = MediaType.parseMediaType(contentType);
            } catch (InvalidMediaTypeException e) {
                mediaType = null;
            }
            if (mediaType == null || mediaType.isWildcardType() || mediaType.isWildcardSubtype()) {
                reject(response, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type",
                        "Content-Type must be one concrete media type, such as application/json");
                return;
            }
        }
        chain.doFilter(request, response);
    }

    private void reject(HttpServletResponse response, HttpStatus status, String type, String title, String detail)
            throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(Problems.TYPE_BASE + type));
        problem.setTitle(title);
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }
}
