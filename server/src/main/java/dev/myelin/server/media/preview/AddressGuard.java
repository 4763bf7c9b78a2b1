package dev.myelin.server.media.preview;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * The SSRF guard of URL previews: which addresses the server may connect to on a user's behalf. Private, loopback,
 * link-local, multicast, CGNAT, documentation, benchmarking, reserved and unspecified ranges are refused, in IPv4
 * and IPv6, including IPv4 addresses embedded in IPv6 ones (mapped {@code ::ffff:a.b.c.d}, compatible, NAT64 and
 * 6to4); an operator's allow-list exempts ranges, a deny-list adds some.
 */
public final class AddressGuard {
    private static final List<CidrRange> DENIED = List.of(
            // IPv4
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
            "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
            // IPv6
            "::/128", "::1/128", "100::/64", "2001::/23", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10",
            "ff00::/8").stream().map(CidrRange::parse).toList();

    private final List<CidrRange> allow;
    private final List<CidrRange> deny;

    public AddressGuard(List<String> allow, List<String> deny) {
        this.allow = allow.stream().map(CidrRange::parse).toList();
        this.deny = deny.stream().map(CidrRange::parse).toList();
    }

    public boolean allowed(InetAddress address) {
        if (allow.stream().anyMatch(range -> range.contains(address))) {
            return true;
        }
        if (denied(address)) {
            return false;
        }
        InetAddress embedded = embeddedIpv4(address);
        return embedded == null || (allow.stream().anyMatch(range -> range.contains(embedded)) || !denied(embedded));
    }

    private boolean denied(InetAddress address) {
        return DENIED.stream().anyMatch(range -> range.contains(address))
                || deny.stream().anyMatch(range -> range.contains(address));
    }

    /** The IPv4 address inside an IPv4-mapped, IPv4-compatible, NAT64 (64:ff9b::/96) or 6to4 (2002::/16) one. */
    static InetAddress embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return null;
        }
        byte[] b = address.getAddress();
        boolean zeroPrefix = true;
        for (int i = 0; i < 10; i++) {
            zeroPrefix &= b[i] == 0;
        }
        if (zeroPrefix && ((b[10] == (byte) 0xFF && b[11] == (byte) 0xFF) || (b[10] == 0 && b[11] == 0))) {
            return CidrRange.ipv4(b, 12);
        }
        if (b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xFF && b[3] == (byte) 0x9B) {
            return CidrRange.ipv4(b, 12);
        }
        if (b[0] == 0x20 && b[1] == 0x02) {
            return CidrRange.ipv4(b, 2);
        }
        return null;
    }
}
