package io.batchline.api.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UrlPathHelper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every {@code /api/**} request needs {@code Authorization: Bearer <key>} with a key that
 * exists and is not revoked (401 otherwise); {@code /api/admin/**} needs the admin role
 * (403 otherwise). The caller is then available to controllers as a {@link Caller}
 * parameter. Everything else (per-tenant visibility) is the controllers' business.
 */
class ApiKeyFilter extends OncePerRequestFilter {

    static final String CALLER = ApiKeyFilter.class.getName() + ".caller";
    private static final String TYPE_BASE = "https://batchline.dev/problems/";

    private final ApiKeys keys;
    private final JsonMapper json;

    ApiKeyFilter(ApiKeys keys, JsonMapper json) {
        this.keys = keys;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = path(request);
        return !path.startsWith("/api/") && !path.startsWith("/batch/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() > 200) {
            reject(request, response, HttpStatus.UNAUTHORIZED, "unauthenticated", "Authentication required",
                    "send an API key as 'Authorization: Bearer <key>'");
            return;
        }
        Optional<Caller> caller;
        try {
            caller = keys.authenticate(header.substring(7).trim(), request.getRemoteAddr(), request.getHeader("User-Agent"));
        } catch (DataAccessException e) {
            // keys live in the database: while it is away nothing can be served, say so at once
            response.setHeader(HttpHeaders.RETRY_AFTER, "5");
            reject(request, response, HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "Service unavailable",
                    "the database is unavailable; nothing was stored, try again shortly");
            return;
        }
        if (caller.isEmpty()) {
            reject(request, response, HttpStatus.UNAUTHORIZED, "invalid-key", "Invalid API key",
                    "the API key is unknown or has been revoked");
            return;
        }
        if (path(request).startsWith("/api/admin/") && !caller.get().isAdmin()) {
            reject(request, response, HttpStatus.FORBIDDEN, "forbidden", "Forbidden", "this needs an admin key");
            return;
        }
        request.setAttribute(CALLER, caller.get());
        chain.doFilter(request, response);
    }

    /**
     * The path as Spring MVC matches it: percent-decoded and without {@code ;} parameters.
     * Deciding on the raw URI would let {@code /api/%61dmin/keys} or {@code /api/admin;x/keys}
     * reach an admin endpoint while looking like something else here.
     */
    static String path(HttpServletRequest request) {
        return UrlPathHelper.defaultInstance.getPathWithinApplication(request);
    }

    private void reject(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String type,
                        String title, String detail) throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_BASE + type));
        problem.setTitle(title);
        problem.setInstance(URI.create(request.getRequestURI()));
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        if (status == HttpStatus.UNAUTHORIZED) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"batchline\"");
        }
        json.writeValue(response.getOutputStream(), problem);
    }
}
