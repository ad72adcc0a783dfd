package io.batchline.api.callback;

import io.batchline.support.outbound.AllowedHosts;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Where callbacks may go: the shared rule of {@code service-support}'s
 * {@link io.batchline.support.outbound.OutboundPolicy} in its "any public host" mode, with
 * {@code BATCH_OUTBOUND_ALLOWED_HOSTS} naming the hosts that may also be private. Checked at
 * submission (a 400) and again before each send, with the checked addresses pinned for the
 * send, so a name that later resolves elsewhere gains nothing.
 */
@Component
public class OutboundPolicy {

    private final io.batchline.support.outbound.OutboundPolicy rule;

    OutboundPolicy(CallbackSettings.Outbound settings) {
        this.rule = io.batchline.support.outbound.OutboundPolicy.publicOrListed(
                AllowedHosts.parse(settings.outboundAllowedHosts()), "BATCH_OUTBOUND_ALLOWED_HOSTS");
    }

    /** Why the URL may not be called, or null when it may. */
    public @Nullable String refusal(String url) {
        return rule.refusal(url);
    }

    /** The full verdict, whose {@code Allowed} pins the checked addresses for the send. */
    io.batchline.support.outbound.OutboundPolicy.Verdict check(String url) {
        return rule.check(url);
    }
}
