package io.batchline.support.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.support.outbound.OutboundPolicy.Reason;
import io.batchline.support.outbound.OutboundPolicy.Verdict;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutboundPolicyTests {

    /** A fake DNS: names to addresses, literals to themselves, everything else does not resolve. */
    private static OutboundPolicy.Resolver dns(Map<String, String> answers) {
        return host -> {
            String address = host.matches("[0-9.]+|[0-9a-f:]+") ? host : answers.get(host);
            if (address == null) {
                throw new UnknownHostException(host);
            }
            return new InetAddress[] {InetAddress.getByName(address)};
        };
    }

    private static final OutboundPolicy.Resolver DNS = dns(Map.of(
            "api.example.com", "93.184.215.14",
            "evil.example.com", "169.254.169.254",
            "internal.example.com", "10.1.2.3",
            "localhost", "127.0.0.1"));

    private static Reason refusal(OutboundPolicy policy, String url) {
        return policy.check(url) instanceof Verdict.Refused refused ? refused.reason() : null;
    }

    @Test
    void allowListEntriesAreHostsWithOptionalPortsAndWildcards() {
        AllowedHosts hosts = AllowedHosts.parse(List.of(" API.example.com , localhost:8080,*.svc.example.com:443, [::1]", ""));
        assertThat(hosts.lists("api.example.com", 1234)).isTrue();
        assertThat(hosts.lists("api.example.com.", 443)).isTrue();
        assertThat(hosts.lists("localhost", 8080)).isTrue();
        assertThat(hosts.lists("localhost", 8081)).isFalse();
        assertThat(hosts.lists("::1", 80)).isTrue();
        assertThat(hosts.lists("a.svc.example.com", 443)).isFalse();
        assertThat(hosts.matches("a.svc.example.com", 443)).isTrue();
        assertThat(hosts.matches("a.svc.example.com", 80)).isFalse();
        assertThat(hosts.matches("svc.example.com", 443)).isFalse();
        assertThat(hosts.matches("evilsvc.example.com", 443)).isFalse();
        assertThat(AllowedHosts.parse(List.of()).isEmpty()).isTrue();
    }

    @Test
    void malformedAllowListEntriesAreErrors() {
        assertThatThrownBy(() -> AllowedHosts.parse(List.of("http://api.example.com"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("http://api.example.com");
        assertThatThrownBy(() -> AllowedHosts.parse(List.of("api.example.com:99999"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AllowedHosts.parse(List.of("a b"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void callbacksMayReachAnyPublicHostButPrivateOnesOnlyWhenListed() {
        OutboundPolicy callbacks = OutboundPolicy.publicOrListed(AllowedHosts.parse(List.of("internal.example.com")), "X").withResolver(DNS);
        assertThat(callbacks.refusal("https://api.example.com/hook")).isNull();
        assertThat(callbacks.refusal("https://internal.example.com/hook")).isNull();
        assertThat(refusal(callbacks, "http://evil.example.com/")).isEqualTo(Reason.PRIVATE_ADDRESS);
        assertThat(callbacks.refusal("http://evil.example.com/")).contains("169.254.169.254").contains("X");
        assertThat(refusal(callbacks, "http://localhost:9/")).isEqualTo(Reason.PRIVATE_ADDRESS);
        assertThat(refusal(callbacks, "http://127.0.0.1/")).isEqualTo(Reason.PRIVATE_ADDRESS);
        assertThat(refusal(callbacks, "ftp://api.example.com/")).isEqualTo(Reason.INVALID_URL);
        assertThat(refusal(callbacks, "https://u:p@api.example.com/")).isEqualTo(Reason.INVALID_URL);
        assertThat(refusal(callbacks, "https://nowhere.example.com/")).isEqualTo(Reason.UNKNOWN_HOST);
    }

    @Test
    void httpCallsReachOnlyAllowedHostsAndPrivateAddressesOnlyWhenListedExactly() {
        OutboundPolicy calls = OutboundPolicy.onlyAllowed(
                AllowedHosts.parse(List.of("api.example.com,*.example.com,localhost:8080")), "WORKER_HTTP_ALLOWED_HOSTS").withResolver(DNS);
        Verdict allowed = calls.check("https://api.example.com/x");
        assertThat(allowed).isInstanceOf(Verdict.Allowed.class);
        assertThat(((Verdict.Allowed) allowed).port()).isEqualTo(443);
        assertThat(refusal(calls, "https://other.org/")).isEqualTo(Reason.HOST_NOT_ALLOWED);
        // a wildcard covers the name, but never opens a private address
        assertThat(refusal(calls, "https://internal.example.com/")).isEqualTo(Reason.PRIVATE_ADDRESS);
        assertThat(refusal(calls, "https://evil.example.com/")).isEqualTo(Reason.PRIVATE_ADDRESS);
        // loopback: only where listed, with its port
        assertThat(calls.refusal("http://localhost:8080/")).isNull();
        assertThat(refusal(calls, "http://localhost:8081/")).isEqualTo(Reason.HOST_NOT_ALLOWED);
        assertThat(refusal(calls, "http://127.0.0.1:8080/")).isEqualTo(Reason.HOST_NOT_ALLOWED);
        assertThat(refusal(OutboundPolicy.onlyAllowed(AllowedHosts.none(), "X").withResolver(DNS), "https://api.example.com/"))
                .isEqualTo(Reason.HOST_NOT_ALLOWED);
    }

    @Test
    void nonPublicAddressesIncludeReservedRangesAndIpv6FormsOfPrivateIpv4() throws Exception {
        for (String address : List.of("127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "0.0.0.0",
                "100.64.0.1", "198.18.0.1", "192.0.0.8", "255.255.255.255", "224.0.0.1", "::1", "::", "fe80::1", "fd00::1",
                "fc00::1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "::ffff:127.0.0.1", "::127.0.0.1")) {
            assertThat(OutboundPolicy.isPublic(InetAddress.getByName(address))).as(address).isFalse();
        }
        for (String address : List.of("93.184.215.14", "8.8.8.8", "2606:4700::1111", "64:ff9b::808:808")) {
            assertThat(OutboundPolicy.isPublic(InetAddress.getByName(address))).as(address).isTrue();
        }
    }

    @Test
    void aPinnedNameResolvesToTheCheckedAddressesWhileTheRequestIsInFlight() throws Exception {
        assertThat(PinnedAddresses.active()).as("the resolver hook is loaded from META-INF/services").isTrue();
        InetAddress checked = InetAddress.getByName("203.0.113.7");
        try (PinnedAddresses.Pin pin = PinnedAddresses.pin("Rebinding.Invalid", List.of(checked))) {
            assertThat(InetAddress.getAllByName("rebinding.invalid")).containsExactly(checked);
        }
    }
}
