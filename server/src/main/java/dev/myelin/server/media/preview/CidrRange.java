package dev.myelin.server.media.preview;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 address range in CIDR notation, such as {@code 10.0.0.0/8} or {@code fc00::/7}. */
public record CidrRange(byte[] network, int prefix) {

    public static CidrRange parse(String cidr) {
        int slash = cidr.indexOf('/');
        String address = slash < 0 ? cidr : cidr.substring(0, slash);
        byte[] bytes;
        try {
            // Only literals: InetAddress.ofLiteral never consults DNS.
            bytes = InetAddress.ofLiteral(address).getAddress();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Not an IP range: " + cidr);
        }
        if (address.contains(":") && bytes.length == 4) {
            // "::ffff:10.0.0.0/104" style: Java hands back the IPv4 address; keep the IPv6 prefix meaning.
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xFF;
            mapped[11] = (byte) 0xFF;
            System.arraycopy(bytes, 0, mapped, 12, 4);
            bytes = mapped;
        }
        int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
        if (prefix < 0 || prefix > bytes.length * 8) {
            throw new IllegalArgumentException("Bad prefix length in " + cidr);
        }
        return new CidrRange(bytes, prefix);
    }

    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    public boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (address[full] & mask) == (network[full] & mask);
    }

    static InetAddress ipv4(byte[] bytes, int offset) {
        try {
            return InetAddress.getByAddress(java.util.Arrays.copyOfRange(bytes, offset, offset + 4));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
