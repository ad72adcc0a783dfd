package io.batchline.support.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The resolver hook against DNS rebinding. {@link OutboundPolicy} checks the addresses a
 * name resolves to; the HTTP client then resolves the name again when it connects, and a
 * hostile DNS server could answer a private address the second time. While a request is in
 * flight its checked addresses are <em>pinned</em>: this JDK resolver (installed through
 * {@code META-INF/services/java.net.spi.InetAddressResolverProvider}) answers a pinned name
 * with the pinned addresses and every other name with the JDK's own resolver. So whatever
 * thread of the client resolves, and whenever, it connects to an address that was checked.
 * Pinning changes nothing for other names; a name another part of the process resolves at
 * the same moment gets the same, checked, addresses.
 *
 * <p>The JDK loads the provider on the first name lookup; {@link #active()} says whether it
 * did (it needs the provider on the class path of the context class loader then).
 */
public final class PinnedAddresses extends InetAddressResolverProvider {

    private static final Map<String, Pinned> PINS = new ConcurrentHashMap<>();
    private static volatile boolean active;

    private record Pinned(List<InetAddress> addresses, int holders) {
    }

    /** Held while a request is in flight; closing it unpins (once the last holder of the name closes). */
    public interface Pin extends AutoCloseable {
        @Override
        void close();
    }

    private static final Pin NOTHING = () -> { };

    /** Pins {@code addresses} for {@code host} until the pin is closed; the newest pin of a name wins. */
    public static Pin pin(String host, List<InetAddress> addresses) {
        if (addresses.isEmpty()) {
            return NOTHING;
        }
        String key = AllowedHosts.normalize(host);
        PINS.compute(key, (k, old) -> new Pinned(List.copyOf(addresses), old == null ? 1 : old.holders() + 1));
        return new Pin() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    PINS.computeIfPresent(key, (k, old) -> old.holders() <= 1 ? null : new Pinned(old.addresses(), old.holders() - 1));
                }
            }
        };
    }

    /** True when the JDK uses this resolver (so pins hold). */
    public static boolean active() {
        try {
            InetAddress.getByName("localhost");
        } catch (UnknownHostException e) {
            // only here to make the JDK load its resolver
        }
        return active;
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        active = true;
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                Pinned pinned = PINS.get(AllowedHosts.normalize(host));
                if (pinned == null) {
                    return builtin.lookupByName(host, policy);
                }
                int wanted = policy.characteristics();
                List<InetAddress> fitting = pinned.addresses().stream()
                        .filter(a -> a instanceof java.net.Inet4Address ? (wanted & LookupPolicy.IPV4) != 0 : (wanted & LookupPolicy.IPV6) != 0)
                        .toList();
                if (fitting.isEmpty()) {
                    throw new UnknownHostException(host + " (pinned addresses do not fit the lookup)");
                }
                return fitting.stream();
            }

            @Override
            public String lookupByAddress(byte[] address) throws UnknownHostException {
                return builtin.lookupByAddress(address);
            }
        };
    }

    @Override
    public String name() {
        return "batchline-pinned-addresses";
    }
}
