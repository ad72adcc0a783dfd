package io.batchline.api.callback;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Completion callbacks and the outbound policy that guards them.
 *
 * @param firstRetry   pause after the first failed delivery; doubles after each ({@code BATCH_CALLBACK_FIRST_RETRY})
 * @param giveUpAfter  how long after the batch ended delivery is given up ({@code BATCH_CALLBACK_GIVE_UP_AFTER})
 * @param pollInterval how often due callbacks are looked for
 * @param claimFor     how long a claimed callback is kept from other API instances; a run starts no
 *                     send after half of it, so keep it well above twice a send's longest time (8 s)
 */
@ConfigurationProperties("batch.callbacks")
@Validated
public record CallbackSettings(
        @DefaultValue("2s") Duration firstRetry,
        @DefaultValue("1h") Duration giveUpAfter,
        @DefaultValue("1s") Duration pollInterval,
        @DefaultValue("60s") Duration claimFor) {

    /**
     * Hosts outbound calls may reach even when they resolve to private or loopback addresses
     * ({@code BATCH_OUTBOUND_ALLOWED_HOSTS}, comma-separated {@code host[:port]}).
     */
    @ConfigurationProperties("batch")
    public record Outbound(@DefaultValue List<String> outboundAllowedHosts) {
    }
}
