package io.batchline.worker.operations.content;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * The best-effort call to the external service that must hear about new prices (the seeds'
 * contract service). One POST per chunk; its failure never fails an item, it only puts a
 * warning on the item's result.
 */
@Component
class PriceChangeNotifier {

    /**
     * @param notifyUrl where price changes are POSTed ({@code WORKER_PRICE_NOTIFY_URL}); none: no call
     * @param timeout   connect and read timeout of that call
     */
    @ConfigurationProperties("worker.content")
    record Settings(@Nullable URI notifyUrl, @DefaultValue("2s") Duration timeout) {
    }

    record PriceChange(String contentId, BigDecimal newPrice) {
    }

    private final Settings settings;
    private final @Nullable RestClient client;

    PriceChangeNotifier(Settings settings, RestClient.Builder builder) {
        this.settings = settings;
        SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
        requests.setConnectTimeout(settings.timeout());
        requests.setReadTimeout(settings.timeout());
        this.client = settings.notifyUrl() == null ? null : builder.requestFactory(requests).build();
    }

    /** Null when the service heard about the changes (or none is configured), else why not. */
    @Nullable String notify(List<PriceChange> changes) {
        if (client == null || changes.isEmpty()) {
            return null;
        }
        try {
            client.post().uri(settings.notifyUrl()).body(Map.of("changes", changes)).retrieve().toBodilessEntity();
            return null;
        } catch (RuntimeException e) {
            return "price stored, but the external service was not told: " + e.getClass().getSimpleName();
        }
    }
}
