package io.batchline.support.outbound;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Where Batchline may send a request. One rule for callbacks (api-service) and
 * {@code http.call} (worker-service):
 * <ul>
 * <li>http or https only, a host, no user info;
 * <li>in {@link #onlyAllowed} mode (http.call) the host must be on the allow-list, exactly or
 *     by a {@code *.domain} wildcard; in {@link #publicOrListed} mode (callbacks) any host may
 *     be called as long as it is public;
 * <li>a host that resolves to a loopback, private, link-local (cloud metadata), unique-local,
 *     multicast, wildcard or otherwise reserved address is refused, unless the allow-list
 *     names it exactly: every address the name resolves to must be public.
 * </ul>
 * The check resolves the name through {@link InetAddress} (and its cache), exactly as the
 * HTTP client will; {@link Verdict.Allowed#pin()} then pins the checked addresses for the
 * request (see {@link PinnedAddresses}) so that a DNS answer that changes between the check
 * and the connect (DNS rebinding) cannot take the request anywhere the check did not see.
 */
public final class OutboundPolicy {

    /** Why a target is refused. */
    public enum Reason {
        /** Not http(s), no host, user info, unparsable. */
        INVALID_URL,
        /** Not on the allow-list (only in {@code onlyAllowed} mode). */
        HOST_NOT_ALLOWED,
        /** Resolves to a private, loopback or otherwise non-public address and is not listed. */
        PRIVATE_ADDRESS,
        /** The name does not resolve (may be transient). */
        UNKNOWN_HOST
    }

    /** The outcome of a check. */
    public sealed interface Verdict {

        /** The request may go; {@code addresses} is what was checked (empty for a listed host, which needs no check). */
        record Allowed(URI uri, String host, int port, List<InetAddress> addresses) implements Verdict {

            /** Pins the checked addresses of the host until the returned pin is closed (a no-op when nothing was checked). */
            public PinnedAddresses.Pin pin() {
                return PinnedAddresses.pin(host, addresses);
            }
        }

        record Refused(Reason reason, String message) implements Verdict {
        }
    }

    /** How names are resolved; {@code InetAddress::getAllByName} outside tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final AllowedHosts allowed;
    private final boolean onlyAllowed;
    private final String settingName;
    private final Resolver resolver;

    OutboundPolicy(AllowedHosts allowed, boolean onlyAllowed, String settingName, Resolver resolver) {
        this.allowed = allowed;
        this.onlyAllowed = onlyAllowed;
        this.settingName = settingName;
        this.resolver = resolver;
    }

    /** Callbacks: any public host; a private one only when {@code allowed} names it. */
    public static OutboundPolicy publicOrListed(AllowedHosts allowed, String settingName) {
        return new OutboundPolicy(allowed, false, settingName, InetAddress::getAllByName);
    }

    /** http.call: only hosts on the allow-list; a private address only when the list names the host exactly. */
    public static OutboundPolicy onlyAllowed(AllowedHosts allowed, String settingName) {
        return new OutboundPolicy(allowed, true, settingName, InetAddress::getAllByName);
    }

    /** The same policy with another resolver (tests). */
    public OutboundPolicy withResolver(Resolver other) {
        return new OutboundPolicy(allowed, onlyAllowed, settingName, other);
    }

    /** Why the URL may not be called, or null when it may. */
    public @Nullable String refusal(String url) {
        return check(url) instanceof Verdict.Refused refused ? refused.message() : null;
    }

    public Verdict check(String url) {
        try {
            return check(new URI(url));
        } catch (URISyntaxException e) {
            return new Verdict.Refused(Reason.INVALID_URL, "is not a valid URL");
        }
    }

    public Verdict check(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return new Verdict.Refused(Reason.INVALID_URL, "must be an http or https URL");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            return new Verdict.Refused(Reason.INVALID_URL, "must name a host (and no credentials)");
        }
        String host = AllowedHosts.normalize(uri.getHost());
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        if (allowed.lists(host, port)) {
            return new Verdict.Allowed(uri, host, port, List.of());
        }
        if (onlyAllowed && !allowed.matches(host, port)) {
            return new Verdict.Refused(Reason.HOST_NOT_ALLOWED,
                    "host " + host + ":" + port + " is not on the allow-list (" + settingName + ")");
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            return new Verdict.Refused(Reason.UNKNOWN_HOST, "names a host that does not resolve (" + host + ")");
        }
        for (InetAddress address : addresses) {
            if (!isPublic(address)) {
                return new Verdict.Refused(Reason.PRIVATE_ADDRESS, "resolves to a private or local address ("
                        + address.getHostAddress() + "); add " + host + " to " + settingName + " if it is meant");
            }
        }
        return new Verdict.Allowed(uri, host, port, Arrays.asList(addresses));
    }

    /**
     * False for every address a request from inside the network must not reach by accident:
     * loopback, private (10/8, 172.16/12, 192.168/16), link-local (169.254/16 with the cloud
     * metadata service, fe80::/10), wildcard, multicast, IPv6 unique-local (fc00::/7),
     * carrier-grade NAT (100.64/10), benchmarking (198.18/15), IETF and reserved ranges
     * (0/8, 192.0.0/24, 240/4), and IPv6 forms that embed an IPv4 address (NAT64, 6to4,
     * IPv4-compatible) when the embedded one is not public.
     */
    public static boolean isPublic(InetAddress address) {
        if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                || address.isAnyLocalAddress() || address.isMulticastAddress()) {
            return false;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xFF;
            int second = b[1] & 0xFF;
            return !(first == 0 || first >= 240
                    || (first == 100 && second >= 64 && second < 128)
                    || (first == 198 && (second == 18 || second == 19))
                    || (first == 192 && second == 0 && (b[2] & 0xFF) == 0));
        }
        if (address instanceof Inet6Address) {
            if ((b[0] & 0xFE) == 0xFC) {
                return false;
            }
            boolean nat64 = (b[0] & 0xFF) == 0x00 && (b[1] & 0xFF) == 0x64 && (b[2] & 0xFF) == 0xFF && (b[3] & 0xFF) == 0x9B;
            boolean sixToFour = (b[0] & 0xFF) == 0x20 && (b[1] & 0xFF) == 0x02;
            boolean compatible = allZero(b, 0, 12);
            try {
                if (nat64 || compatible) {
                    return isPublic(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
                }
                if (sixToFour) {
                    return isPublic(InetAddress.getByAddress(Arrays.copyOfRange(b, 2, 6)));
                }
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return true;
    }

    private static boolean allZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
