package dev.myelin.spec.id;

import java.util.OptionalInt;

/**
 * A homeserver's name: a DNS name, IPv4 literal or bracketed IPv6 literal, and an optional port
 * (spec: appendices "Server Name"). Compared case-sensitively, as the spec demands.
 *
 * @param host the hostname as written; IPv6 literals keep their brackets
 * @param port the explicit port, if any
 */
public record ServerName(String host, OptionalInt port) {
    private static final String KIND = "server name";

    public ServerName {
        String problem = hostProblem(host);
        if (problem != null) {
            throw new InvalidIdentifierException(KIND, String.valueOf(host), problem);
        }
        if (port.isPresent() && (port.getAsInt() < 0 || port.getAsInt() > 99999)) {
            throw new InvalidIdentifierException(KIND, host, "port must be 1 to 5 digits");
        }
    }

    /** @throws InvalidIdentifierException if the text is not a server name */
    public static ServerName parse(String text) {
        int colon = text.startsWith("[") ? text.indexOf(':', Math.max(text.indexOf(']'), 0)) : text.indexOf(':');
        if (colon < 0) {
            return new ServerName(text, OptionalInt.empty());
        }
        String port = text.substring(colon + 1);
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidIdentifierException(KIND, text, "port must be 1 to 5 digits");
        }
        return new ServerName(text.substring(0, colon), OptionalInt.of(Integer.parseInt(port)));
    }

    /** Whether the host is an IP literal rather than a DNS name (no delegation lookup then). */
    public boolean isIpLiteral() {
        return host.startsWith("[") || isIpv4(host);
    }

    @Override
    public String toString() {
        return port.isPresent() ? host + ":" + port.getAsInt() : host;
    }

    private static String hostProblem(String host) {
        if (host == null || host.isEmpty()) {
            return "empty hostname";
        }
        if (host.startsWith("[")) {
            if (!host.endsWith("]")) {
                return "IPv6 literal lacks its closing ']'";
            }
            return Ipv6.isValid(host.substring(1, host.length() - 1)) ? null : "malformed IPv6 literal";
        }
        if (looksLikeIpv4(host)) {
            return isIpv4(host) ? null : "IPv4 literal parts must be 0 to 255";
        }
        if (host.length() > 255) {
            return "hostname longer than 255 characters";
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
                return "hostname may only hold letters, digits, '-' and '.'";
            }
        }
        return null;
    }

    /** Four dot-separated groups of 1-3 digits (spec grammar IPv4address). */
    private static boolean looksLikeIpv4(String host) {
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isIpv4(String host) {
        if (!looksLikeIpv4(host)) {
            return false;
        }
        for (String part : host.split("\\.")) {
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** IPv6 text forms of RFC 3513 section 2.2, including "::" and a trailing IPv4 part. */
    private static final class Ipv6 {
        static boolean isValid(String text) {
            if (text.length() < 2 || text.length() > 45) {
                return false;
            }
            int doubleColon = text.indexOf("::");
            if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
                return false;
            }
            if (doubleColon < 0) {
                return groups(text, true) == 8;
            }
            String head = text.substring(0, doubleColon);
            String tail = text.substring(doubleColon + 2);
            int headGroups = head.isEmpty() ? 0 : groups(head, false);
            int tailGroups = tail.isEmpty() ? 0 : groups(tail, true);
            return headGroups >= 0 && tailGroups >= 0 && headGroups + tailGroups <= 7;
        }

        /** Counts 16-bit groups (an IPv4 tail counts two), or -1 if malformed. */
        private static int groups(String text, boolean ipv4TailAllowed) {
            String[] parts = text.split(":", -1);
            int count = 0;
            for (int i = 0; i < parts.length; i++) {
                String part = parts[i];
                if (i == parts.length - 1 && ipv4TailAllowed && part.contains(".")) {
                    if (!isIpv4(part)) {
                        return -1;
                    }
                    count += 2;
                } else if (part.isEmpty() || part.length() > 4 || !part.chars().allMatch(Ipv6::isHex)) {
                    return -1;
                } else {
                    count++;
                }
            }
            return count;
        }

        private static boolean isHex(int c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        }
    }
}
