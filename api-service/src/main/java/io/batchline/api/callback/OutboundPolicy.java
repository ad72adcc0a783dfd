package io.batchline.api.callback;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Where Batchline may send requests (callbacks today): http or https only, and either a host
 * on the allow-list ({@code BATCH_OUTBOUND_ALLOWED_HOSTS}) or one whose every address is
 * public. Loopback, private, link-local (cloud metadata), multicast and wildcard addresses are
 * refused after DNS resolution, at submission (a 400) and again before each send, so a
 * name that later resolves elsewhere gains nothing.
 */
@Component
public class OutboundPolicy {

    private final List<String> allowedHosts;

    OutboundPolicy(CallbackSettings.Outbound settings) {
        this.allowedHosts = settings.outboundAllowedHosts().stream()
                .map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
    }

    /** Why the URL may not be called, or null when it may. */
    public @Nullable String refusal(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            return "is not a valid URL";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "must be an http or https URL";
        }
        if (uri.getHost() == null || uri.getUserInfo() != null) {
            return "must name a host (and no credentials)";
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (allowedHosts.contains(host)) {
            return null;
        }
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                        || address.isAnyLocalAddress() || address.isMulticastAddress() || isUniqueLocal(address)) {
                    return "resolves to a private or local address (" + address.getHostAddress()
                            + "); add the host to BATCH_OUTBOUND_ALLOWED_HOSTS if it is meant";
                }
            }
        } catch (UnknownHostException e) {
            return "names a host that does not resolve";
        }
        return null;
    }

    /** IPv6 fc00::/7, which InetAddress does not count as site-local. */
    private static boolean isUniqueLocal(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 16 && (bytes[0] & 0xFE) == 0xFC;
    }
}
