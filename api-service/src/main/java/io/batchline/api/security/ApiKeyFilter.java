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
 * exists and is not revoked (401 otherwise), or the console's session cookie, and then every
 * change carries the session's CSRF token (403 otherwise); {@code /api/admin/**} needs the
 * admin role (403 otherwise). Console pages ({@code /ui/**}) need the session cookie and
 * send a browser without one to the sign-in page. The caller is then available to controllers as a {@link Caller}
 * parameter. Everything else (per-tenant visibility) is the controllers' business.
 */
class ApiKeyFilter extends OncePerRequestFilter {

    static final String CALLER = ApiKeyFilter.class.getName() + ".caller";
    private static final String TYPE_BASE = "https://batchline.dev/problems/";

    private final ApiKeys keys;
    private final ConsoleSessions sessions;
    private final JsonMapper json;

    ApiKeyFilter(ApiKeys keys, ConsoleSessions sessions, JsonMapper json) {
        this.keys = keys;
        this.sessions = sessions;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String uri = path(request);
        return !uri.startsWith("/api/") && !uri.startsWith("/batch/") && !isConsole(uri);
    }

    private static boolean isConsole(String uri) {
        return uri.equals("/ui") || uri.startsWith("/ui/");
    }

    /** Console paths anyone may load: the sign-in form and the static assets. */
    private static boolean isPublicConsolePath(String uri) {
        return uri.equals("/ui/sign-in") || uri.startsWith("/ui/assets/");
    }

    private static boolean isSafe(String method) {
        return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String uri = path(request);
        boolean console = isConsole(uri);
        if (console && isPublicConsolePath(uri)) {
            chain.doFilter(request, response);
            return;
        }
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        Optional<Caller> caller;
        ConsoleSessions.Session session = null;
        try {
            if (header != null && !console) {
                if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() > 200) {
                    reject(request, response, HttpStatus.UNAUTHORIZED, "unauthenticated", "Authentication required",
                            "send an API key as 'Authorization: Bearer <key>'");
                    return;
                }
                caller = keys.authenticate(header.substring(7).trim(), request.getRemoteAddr(), request.getHeader("User-Agent"));
                if (caller.isEmpty()) {
                    reject(request, response, HttpStatus.UNAUTHORIZED, "invalid-key", "Invalid API key",
                            "the API key is unknown or has been revoked");
                    return;
                }
            } else {
                // the console's pages and the calls their scripts make: the session cookie
                String token = cookie(request, ConsoleSessions.COOKIE);
                if (token == null && !console) {
                    reject(request, response, HttpStatus.UNAUTHORIZED, "unauthenticated", "Authentication required",
                            "send an API key as 'Authorization: Bearer <key>'");
                    return;
                }
                Optional<ConsoleSessions.Session> found = sessions.find(token, request.getRemoteAddr(), request.getHeader("User-Agent"));
                if (found.isEmpty()) {
                    if (console) {
                        response.sendRedirect("/ui/sign-in");
                    } else {
                        reject(request, response, HttpStatus.UNAUTHORIZED, "invalid-session", "Session ended",
                                "the console session is unknown, expired or its key was revoked; sign in again");
                    }
                    return;
                }
                session = found.get();
                String sent = request.getHeader(ConsoleSessions.CSRF_HEADER);
                if (sent == null && console) {
                    sent = request.getParameter("_csrf");
                }
                if (!isSafe(request.getMethod()) && !ConsoleSessions.csrfMatches(session, sent)) {
                    reject(request, response, HttpStatus.FORBIDDEN, "csrf", "Missing or wrong CSRF token",
                            "a change made with a console session must carry the page's " + ConsoleSessions.CSRF_HEADER);
                    return;
                }
                caller = Optional.of(session.caller());
            }
        } catch (DataAccessException e) {
            // keys live in the database: while it is away nothing can be served, say so at once
            response.setHeader(HttpHeaders.RETRY_AFTER, "5");
            reject(request, response, HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "Service unavailable",
                    "the database is unavailable; nothing was stored, try again shortly");
            return;
        }
        if (uri.startsWith("/api/admin/") && !caller.get().isAdmin()) {
            reject(request, response, HttpStatus.FORBIDDEN, "forbidden", "Forbidden", "this needs an admin key");
            return;
        }
        request.setAttribute(CALLER, caller.get());
        if (session != null) {
            request.setAttribute(ConsoleSessions.REQUEST_ATTRIBUTE, session);
        }
        chain.doFilter(request, response);
    }

    private static @org.jspecify.annotations.Nullable String cookie(HttpServletRequest request, String name) {
        jakarta.servlet.http.Cookie[] cookies = request.getCookies();
        if (cookies == null) {
            return null;
        }
        for (jakarta.servlet.http.Cookie cookie : cookies) {
            if (name.equals(cookie.getName())) {
                return cookie.getValue();
            }
        }
        return null;
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
