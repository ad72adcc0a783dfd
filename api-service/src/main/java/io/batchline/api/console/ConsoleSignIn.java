package io.batchline.api.console;

import io.batchline.api.security.ApiKeys;
import io.batchline.api.security.AuditTrail;
import io.batchline.api.security.Caller;
import io.batchline.api.security.ConsoleSessions;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Signing in and out of the console. The sign-in form is protected against login CSRF by a
 * double-submit token (a cookie and a hidden field that must match); the API key itself is
 * posted once, never stored in the browser, and exchanged for an HttpOnly, SameSite=Strict
 * session cookie.
 */
@Controller
class ConsoleSignIn {

    static final String SIGN_IN_COOKIE = "bl_sign_in";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ApiKeys keys;
    private final ConsoleSessions sessions;
    private final AuditTrail audit;

    ConsoleSignIn(ApiKeys keys, ConsoleSessions sessions, AuditTrail audit) {
        this.keys = keys;
        this.sessions = sessions;
        this.audit = audit;
    }

    @GetMapping("/ui/sign-in")
    String form(Model model, HttpServletRequest request, HttpServletResponse response) {
        String token = newToken();
        response.addHeader(HttpHeaders.SET_COOKIE, cookie(SIGN_IN_COOKIE, token, request, 600).toString());
        model.addAttribute("signInToken", token);
        return "ui/sign-in";
    }

    @PostMapping("/ui/sign-in")
    String signIn(@RequestParam(name = "apiKey", required = false) @Nullable String apiKey,
                  @RequestParam(name = "_signin", required = false) @Nullable String formToken,
                  @CookieValue(name = SIGN_IN_COOKIE, required = false) @Nullable String cookieToken,
                  Model model, HttpServletRequest request, HttpServletResponse response) {
        if (formToken == null || cookieToken == null || !MessageDigest.isEqual(formToken.getBytes(), cookieToken.getBytes())) {
            return refused("The sign-in form expired. Please try again.", model, request, response);
        }
        Optional<Caller> caller = apiKey == null || apiKey.isBlank() || apiKey.length() > 200 ? Optional.empty()
                : keys.authenticate(apiKey.strip(), request.getRemoteAddr(), request.getHeader("User-Agent"));
        if (caller.isEmpty()) {
            return refused("That API key is unknown or has been revoked.", model, request, response);
        }
        ConsoleSessions.Created session = sessions.create(caller.get());
        audit.record(caller.get(), "console.signed-in", null, Map.of());
        response.addHeader(HttpHeaders.SET_COOKIE,
                cookie(ConsoleSessions.COOKIE, session.token(), request, session.ttl().toSeconds()).toString());
        response.addHeader(HttpHeaders.SET_COOKIE, cookie(SIGN_IN_COOKIE, "", request, 0).toString());
        return "redirect:/ui";
    }

    /** Reached only with a session and its CSRF token (the security filter checks both). */
    @PostMapping("/ui/sign-out")
    String signOut(@CookieValue(name = ConsoleSessions.COOKIE, required = false) @Nullable String token,
                   HttpServletRequest request, HttpServletResponse response) {
        sessions.delete(token);
        response.addHeader(HttpHeaders.SET_COOKIE, cookie(ConsoleSessions.COOKIE, "", request, 0).toString());
        return "redirect:/ui/sign-in";
    }

    private String refused(String message, Model model, HttpServletRequest request, HttpServletResponse response) {
        response.setStatus(401);
        model.addAttribute("error", message);
        String token = newToken();
        response.addHeader(HttpHeaders.SET_COOKIE, cookie(SIGN_IN_COOKIE, token, request, 600).toString());
        model.addAttribute("signInToken", token);
        return "ui/sign-in";
    }

    private static ResponseCookie cookie(String name, String value, HttpServletRequest request, long maxAgeSeconds) {
        return ResponseCookie.from(name, value).httpOnly(true).secure(request.isSecure()).sameSite("Strict")
                .path("/").maxAge(maxAgeSeconds).build();
    }

    private static String newToken() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
