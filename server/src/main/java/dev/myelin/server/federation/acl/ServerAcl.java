package dev.myelin.server.federation.acl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.push.Glob;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One {@code m.room.server_acl} content (spec: client-server-api "Server Access Control Lists (ACLs) for rooms",
 * m.room.server_acl): case-insensitive globs matched against server names without their port. A server is denied
 * when it is an IP literal and {@code allow_ip_literals} is {@code false}, or it matches {@code deny}; otherwise
 * allowed only when it matches {@code allow} (missing {@code allow} denies every server).
 */
public record ServerAcl(List<Pattern> allow, List<Pattern> deny, boolean allowIpLiterals) {

    /** Reads an ACL content; entries that are not strings are ignored, a non-boolean allow_ip_literals is true. */
    public static ServerAcl of(JsonNode content) {
        JsonNode ipLiterals = content.path("allow_ip_literals");
        return new ServerAcl(globs(content.path("allow")), globs(content.path("deny")),
                !ipLiterals.isBoolean() || ipLiterals.booleanValue());
    }

    private static List<Pattern> globs(JsonNode list) {
        var patterns = new ArrayList<Pattern>();
        if (list.isArray()) {
            for (JsonNode entry : list) {
                if (entry.isTextual()) {
                    patterns.add(Glob.whole(entry.textValue()));
                }
            }
        }
        return List.copyOf(patterns);
    }

    /** Whether {@code serverName} (with or without a port) may take part in the room. */
    public boolean allows(String serverName) {
        String host = host(serverName);
        if (!allowIpLiterals && isIpLiteral(host)) {
            return false;
        }
        return deny.stream().noneMatch(glob -> glob.matcher(host).matches())
                && allow.stream().anyMatch(glob -> glob.matcher(host).matches());
    }

    /**
     * The server name without its port (spec: appendices "Server Name": {@code host[:port]}, where an IPv6 literal is
     * in brackets). An IPv6 literal keeps its brackets.
     */
    static String host(String serverName) {
        if (serverName.startsWith("[")) {
            int close = serverName.indexOf(']');
            return close < 0 ? serverName : serverName.substring(0, close + 1);
        }
        int colon = serverName.lastIndexOf(':');
        return colon < 0 ? serverName : serverName.substring(0, colon);
    }

    /** An IPv4 dotted quad or a bracketed IPv6 literal (the only IP forms a server name may take). */
    static boolean isIpLiteral(String host) {
        return host.startsWith("[") || host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }
}
