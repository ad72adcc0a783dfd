package io.batchline.model.operations;

import com.fasterxml.jackson.annotation.JsonFormat;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP request ({@code http.call}). Only the request's shape is checked here (the API
 * refuses a bad one with the item and field named); whether its host may be called is the
 * worker's allow-list ({@code WORKER_HTTP_ALLOWED_HOSTS}), checked before every request.
 *
 * @param method       GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS
 * @param url          an absolute http or https URL with a host and no user info
 * @param headers      request headers (at most 50); names are tokens, not one the HTTP client
 *                     sets itself (Host, Connection, Content-Length, ...), values hold no CR, LF or NUL
 * @param body         the request body as text (at most {@value #MAX_BODY_CHARS} characters)
 * @param expectStatus the status or statuses that count as success (default: any 2xx)
 */
public record HttpCallItem(
        @NotNull @Pattern(regexp = "GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS",
                message = "must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS") String method,
        @NotBlank @Size(max = MAX_URL_CHARS) @HttpUrl String url,
        @Size(max = 50) @Nullable Map<
                @Pattern(regexp = HEADER_NAME, message = HEADER_NAME_MESSAGE) String,
                @NotNull @Size(max = 8192) @Pattern(regexp = "[^\\r\\n\\x00]*", message = "must not contain CR, LF or NUL") String>
                headers,
        @Size(max = MAX_BODY_CHARS) @Nullable String body,
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        @Size(min = 1, max = 20) @Nullable List<@NotNull @Min(100) @Max(599) Integer> expectStatus) implements ItemPayload {

    public static final int MAX_URL_CHARS = 2048;
    public static final int MAX_BODY_CHARS = 32_768;

    /**
     * A token (RFC 9110) that is none of the headers the client owns: the JDK client refuses
     * to set them, and letting items set Host would defeat the allow-list.
     */
    static final String HEADER_NAME = "(?i)(?!(?:host|connection|content-length|expect|upgrade|transfer-encoding|te|trailer"
            + "|keep-alive|proxy-[a-z-]*)$)[!#$%&'*+.^_`|~0-9a-z-]{1,256}";
    static final String HEADER_NAME_MESSAGE = "must be a header name (a token), not Host, Connection, Content-Length, "
            + "Expect, Upgrade, Transfer-Encoding, TE, Trailer, Keep-Alive or Proxy-*";

    @Override
    public String itemKey() {
        return method + " " + (url.length() <= 200 ? url : url.substring(0, 200));
    }

    /** The statuses that count as success: the ones asked for, or any 2xx. */
    public boolean expects(int status) {
        return expectStatus == null ? status >= 200 && status < 300 : expectStatus.contains(status);
    }

    /** Keeps header values (they often hold credentials) out of logs and exception messages. */
    @Override
    public String toString() {
        return "HttpCallItem[method=" + method + ", url=" + url + ", headers=" + (headers == null ? "{}" : headers.keySet())
                + ", body=" + (body == null ? 0 : body.length()) + " chars, expectStatus=" + expectStatus + "]";
    }
}
