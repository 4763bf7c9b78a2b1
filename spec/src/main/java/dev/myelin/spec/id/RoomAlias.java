package dev.myelin.spec.id;

/** A room alias, {@code #localpart:server} (spec: appendices "Room Aliases"). */
public record RoomAlias(String localpart, ServerName server) {
    private static final String KIND = "room alias";

    public RoomAlias {
        String problem = Grammar.historicalLocalpartProblem(localpart);
        if (problem != null) {
            throw new InvalidIdentifierException(KIND, "#" + localpart + ":" + server, problem);
        }
        if (1 + Grammar.utf8Length(localpart) + 1 + Grammar.utf8Length(server.toString()) > Grammar.MAX_ID_BYTES) {
            throw new InvalidIdentifierException(KIND, "#" + localpart + ":" + server, "longer than 255 bytes");
        }
    }

    /** @throws InvalidIdentifierException if the text is not a room alias */
    public static RoomAlias parse(String text) {
        if (!text.startsWith("#")) {
            throw new InvalidIdentifierException(KIND, text, "must start with '#'");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new InvalidIdentifierException(KIND, text, "missing ':server'");
        }
        try {
            return new RoomAlias(text.substring(1, colon), ServerName.parse(text.substring(colon + 1)));
        } catch (InvalidIdentifierException e) {
            throw new InvalidIdentifierException(KIND, text, e.reason());
        }
    }

    @Override
    public String toString() {
        return "#" + localpart + ":" + server;
    }
}
