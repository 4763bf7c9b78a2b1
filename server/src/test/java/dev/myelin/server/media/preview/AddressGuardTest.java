package dev.myelin.server.media.preview;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AddressGuardTest {
    private static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    @Test
    void refusesPrivateAndSpecialRanges() {
        var guard = new AddressGuard(List.of(), List.of());
        for (String address : List.of("127.0.0.1", "127.255.0.9", "10.1.2.3", "172.16.0.1", "172.31.255.255",
                "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.254", "0.0.0.0", "224.0.0.1",
                "239.255.255.250", "255.255.255.255", "192.0.2.5", "198.18.0.1",
                "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1",
                "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1",
                "64:ff9b::a00:1", "2002:7f00:1::1", "2002:c0a8:101::")) {
            assertThat(guard.allowed(ip(address))).as(address).isFalse();
        }
    }

    @Test
    void allowsPublicAddresses() {
        var guard = new AddressGuard(List.of(), List.of());
        for (String address : List.of("8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1",
                "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1")) {
            assertThat(guard.allowed(ip(address))).as(address).isTrue();
        }
    }

    @Test
    void allowAndDenyLists() {
        var guard = new AddressGuard(List.of("127.0.0.1/32", "10.5.0.0/16"), List.of("8.8.4.0/24", "2606:4700::/32"));
        assertThat(guard.allowed(ip("127.0.0.1"))).isTrue();
        assertThat(guard.allowed(ip("::ffff:127.0.0.1"))).isTrue();
        assertThat(guard.allowed(ip("127.0.0.2"))).isFalse();
        assertThat(guard.allowed(ip("10.5.9.9"))).isTrue();
        assertThat(guard.allowed(ip("10.6.0.1"))).isFalse();
        assertThat(guard.allowed(ip("8.8.4.4"))).isFalse();
        assertThat(guard.allowed(ip("8.8.8.8"))).isTrue();
        assertThat(guard.allowed(ip("2606:4700:4700::1111"))).isFalse();
    }

    @Test
    void cidrParsing() {
        assertThat(CidrRange.parse("10.0.0.0/8").contains(ip("10.255.1.1"))).isTrue();
        assertThat(CidrRange.parse("10.0.0.0/8").contains(ip("11.0.0.0"))).isFalse();
        assertThat(CidrRange.parse("fc00::/7").contains(ip("fdff::1"))).isTrue();
        assertThat(CidrRange.parse("192.168.1.7").contains(ip("192.168.1.7"))).isTrue();
        assertThat(CidrRange.parse("100.64.0.0/10").contains(ip("100.127.0.1"))).isTrue();
        assertThat(CidrRange.parse("100.64.0.0/10").contains(ip("100.128.0.1"))).isFalse();
    }
}
