package dev.myelin.spec.id;

/**
 * A user id, {@code @localpart:server} (spec: appendices "User Identifiers").
 *
 * <p>{@link #parse} accepts the historical grammar that servers MUST accept from other servers:
 * any non-surrogate code point but ':' and NUL, even an empty localpart. {@link #parseNew} accepts
 * only what a server may allocate today: {@code a-z 0-9 . _ = - / +}.
 */
public record UserId(String localpart, ServerName server) {
    private static final String KIND = "user id";

    public UserId {
        String problem = Grammar.historicalLocalpartProblem(localpart);
        if (problem != null) {
            throw new InvalidIdentifierException(KIND, "@" + localpart + ":" + server, problem);
        }
        if (1 + Grammar.utf8Length(localpart) + 1 + Grammar.utf8Length(server.toString()) > Grammar.MAX_ID_BYTES) {
            throw new InvalidIdentifierException(KIND, "@" + localpart + ":" + server, "longer than 255 bytes");
        }
    }

    /** Parses a user id in the historical grammar. @throws InvalidIdentifierException */
    public static UserId parse(String text) {
        if (!text.startsWith("@")) {
            throw new InvalidIdentifierException(KIND, text, "must start with '@'");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new InvalidIdentifierException(KIND, text, "missing ':server'");
        }
        ServerName server;
        try {
            server = ServerName.parse(text.substring(colon + 1));
        } catch (InvalidIdentifierException e) {
            throw new InvalidIdentifierException(KIND, text, e.reason());
        }
        return new UserId(text.substring(1, colon), server);
    }

    /** Parses a user id a server could allocate today. @throws InvalidIdentifierException */
    public static UserId parseNew(String text) {
        UserId id = parse(text);
        if (id.isHistorical()) {
            throw new InvalidIdentifierException(KIND, text,
                    "localpart may only hold a-z, 0-9, '.', '_', '=', '-', '/' and '+'");
        }
        return id;
    }

    /** Whether the localpart falls outside today's grammar (spec: "Historical User IDs"). */
    public boolean isHistorical() {
        if (localpart.isEmpty()) {
            return true;
        }
        for (int i = 0; i < localpart.length(); i++) {
            if (!isNewLocalpartChar(localpart.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the localpart is non-empty printable ASCII (U+0021..U+007E). Non-compliant ids must
     * still be accepted in events, but should not be forwarded to clients outside them.
     */
    public boolean isCompliant() {
        return !localpart.isEmpty() && localpart.chars().allMatch(c -> c >= 0x21 && c <= 0x7E);
    }

    public static boolean isNewLocalpartChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '=' || c == '-' || c == '/' || c == '+';
    }

    @Override
    public String toString() {
        return "@" + localpart + ":" + server;
    }
}
