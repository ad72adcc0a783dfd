package io.batchline.support.outbound;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An allow-list of hosts, as configured: comma-separated {@code host[:port]} entries, where
 * the host may be a name, an IPv4 address, a bracketed IPv6 address, or {@code *.suffix} for
 * every name under a domain. An entry without a port matches any port.
 *
 * <p>Two questions are asked of it: is a target <em>listed</em> exactly (a name or address
 * written out, which may then resolve to a private or loopback address: that is the point of
 * listing an internal service), and is it <em>matched</em> at all (exactly or by a wildcard;
 * a wildcard never opens private addresses, so {@code *.example.com} cannot be turned into a
 * way into the internal network by one DNS record).
 */
public final class AllowedHosts {

    private static final Pattern ENTRY = Pattern.compile("(\\*\\.)?([a-z0-9.\\-_]+|\\[[0-9a-f:.]+\\])(?::(\\d{1,5}))?");

    private record Entry(boolean wildcard, String host, int port) {

        boolean matchesHost(String candidate) {
            return wildcard ? candidate.endsWith("." + host) : candidate.equals(host);
        }

        boolean matchesPort(int candidate) {
            return port < 0 || port == candidate;
        }
    }

    private final List<Entry> entries;

    private AllowedHosts(List<Entry> entries) {
        this.entries = entries;
    }

    public static AllowedHosts none() {
        return new AllowedHosts(List.of());
    }

    /** Parses the entries (blank ones are skipped); a malformed entry is an error, not ignored. */
    public static AllowedHosts parse(List<String> specs) {
        List<Entry> entries = new ArrayList<>();
        for (String spec : specs) {
            for (String raw : spec.split(",")) {
                String entry = raw.trim().toLowerCase(Locale.ROOT);
                if (entry.isEmpty()) {
                    continue;
                }
                Matcher m = ENTRY.matcher(entry);
                if (!m.matches()) {
                    throw new IllegalArgumentException("allowed host '" + raw.trim()
                            + "' is not host[:port] (a name, an address, [IPv6] or *.domain)");
                }
                int port = m.group(3) == null ? -1 : Integer.parseInt(m.group(3));
                if (port == 0 || port > 65535) {
                    throw new IllegalArgumentException("allowed host '" + raw.trim() + "' has no valid port");
                }
                entries.add(new Entry(m.group(1) != null, normalize(m.group(2)), port));
            }
        }
        return new AllowedHosts(List.copyOf(entries));
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** True when an entry names this host (and port) exactly, not through a wildcard. */
    public boolean lists(String host, int port) {
        String h = normalize(host);
        return entries.stream().anyMatch(e -> !e.wildcard() && e.matchesHost(h) && e.matchesPort(port));
    }

    /** True when any entry, exact or wildcard, covers this host and port. */
    public boolean matches(String host, int port) {
        String h = normalize(host);
        return entries.stream().anyMatch(e -> e.matchesHost(h) && e.matchesPort(port));
    }

    /** Lower case, brackets of an IPv6 literal removed, a trailing dot of a fully qualified name removed. */
    public static String normalize(@Nullable String host) {
        if (host == null) {
            return "";
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
