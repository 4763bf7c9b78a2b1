package dev.myelin.server.federation.transport;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code Authorization: X-Matrix ...} header of a federation request (spec: server-server-api "Request
 * Authentication"): the scheme, then comma-separated {@code name=value} parameters, names case-insensitive, values
 * quoted (with backslash escapes) or bare tokens; bare values may hold colons, for older servers.
 *
 * @param destination empty when an older server left it out
 */
public record XMatrix(String origin, Optional<String> destination, String key, String signature) {

    /** The header as senders should write it: one space, lower-case names, quoted values. */
    public String format() {
        return "X-Matrix origin=\"" + origin + "\",destination=\"" + destination.orElseThrow()
                + "\",key=\"" + key + "\",sig=\"" + signature + "\"";
    }

    /** Parses the header; empty when it is not X-Matrix or lacks origin, key or sig. */
    public static Optional<XMatrix> parse(String header) {
        if (header == null || header.length() < 9 || !header.regionMatches(true, 0, "X-Matrix", 0, 8)
                || (header.charAt(8) != ' ' && header.charAt(8) != '\t')) {
            return Optional.empty();
        }
        Map<String, String> params = new HashMap<>();
        int i = 9;
        int n = header.length();
        while (i < n) {
            while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == '\t' || header.charAt(i) == ',')) {
                i++;
            }
            int equals = header.indexOf('=', i);
            if (i >= n) {
                break;
            }
            if (equals < 0) {
                return Optional.empty();
            }
            String name = header.substring(i, equals).trim().toLowerCase(Locale.ROOT);
            i = equals + 1;
            StringBuilder value = new StringBuilder();
            if (i < n && header.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = header.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(header.charAt(i++));
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    return Optional.empty();
                }
            } else {
                while (i < n && header.charAt(i) != ',' && header.charAt(i) != ' ' && header.charAt(i) != '\t') {
                    value.append(header.charAt(i++));
                }
            }
            params.putIfAbsent(name, value.toString());
        }
        String origin = params.get("origin");
        String key = params.get("key");
        String sig = params.get("sig");
        if (origin == null || key == null || sig == null || origin.isEmpty() || key.isEmpty() || sig.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new XMatrix(origin, Optional.ofNullable(params.get("destination")), key, sig));
    }
}
