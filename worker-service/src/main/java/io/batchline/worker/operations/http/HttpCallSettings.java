package io.batchline.worker.operations.http;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How {@code http.call} reaches other services.
 *
 * @param allowedHosts         the only hosts items may call, comma-separated {@code host[:port]} or
 *                             {@code *.domain[:port]}; a private or loopback address only when its
 *                             host is listed exactly ({@code WORKER_HTTP_ALLOWED_HOSTS}); empty: none
 * @param connectTimeout       TCP (and TLS) connect timeout ({@code WORKER_HTTP_CONNECT_TIMEOUT})
 * @param requestTimeout       longest one request may take, answer and body excerpt included
 *                             ({@code WORKER_HTTP_REQUEST_TIMEOUT})
 * @param maxConcurrentPerHost requests to one {@code host:port} in flight at once, per worker
 *                             process ({@code WORKER_HTTP_MAX_CONCURRENT_PER_HOST})
 * @param rateLimits           per-host limits shared by all workers, {@code host[:port]=requests/period[:burst]},
 *                             comma-separated, e.g. {@code api.example.com=50/1s} ({@code WORKER_HTTP_RATE_LIMITS})
 * @param maxBodyExcerpt       bytes of the answer's body kept in the item's result ({@code WORKER_HTTP_MAX_BODY_EXCERPT})
 * @param keepHeaders          answer headers kept in the item's result ({@code WORKER_HTTP_KEEP_HEADERS})
 */
@ConfigurationProperties("worker.http")
@Validated
public record HttpCallSettings(
        @DefaultValue List<String> allowedHosts,
        @DefaultValue("2s") Duration connectTimeout,
        @DefaultValue("10s") Duration requestTimeout,
        @DefaultValue("8") @Min(1) @Max(1000) int maxConcurrentPerHost,
        @DefaultValue("") String rateLimits,
        @DefaultValue("4KB") DataSize maxBodyExcerpt,
        @DefaultValue({"content-type", "location", "retry-after", "etag"}) List<String> keepHeaders) {
}
