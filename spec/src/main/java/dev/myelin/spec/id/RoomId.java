package dev.myelin.spec.id;

import java.util.Optional;

/**
 * A room id (spec: appendices "Room IDs"). Room versions 1-11 use {@code !opaque:server};
 * version 12 (MSC4291) uses {@code !} + the create event's reference hash in URL-safe unpadded
 * base64 (43 characters) with no server.
 */
public sealed interface RoomId {
    /** {@code !localpart:server}, for room versions 1 to 11. */
    record Classic(String localpart, ServerName server) implements RoomId {
        public Classic {
            String value = "!" + localpart + ":" + server;
            String problem = Grammar.historicalLocalpartProblem(localpart);
            if (problem != null) {
                throw new InvalidIdentifierException(KIND, value, problem);
            }
            if (Grammar.utf8Length(value) > Grammar.MAX_ID_BYTES) {
                throw new InvalidIdentifierException(KIND, value, "longer than 255 bytes");
            }
        }

        @Override
        public Optional<ServerName> domain() {
            return Optional.of(server);
        }

        @Override
        public String toString() {
            return "!" + localpart + ":" + server;
        }
    }

    /** {@code !} + the create event's URL-safe reference hash, for room version 12 on. */
    record Hashed(String hash) implements RoomId {
        public Hashed {
            if (!Grammar.isHash(hash, true)) {
                throw new InvalidIdentifierException(KIND, "!" + hash,
                        "must be 43 URL-safe unpadded base64 characters or have a ':server'");
            }
        }

        @Override
        public Optional<ServerName> domain() {
            return Optional.empty();
        }

        /** The id of the room's create event, which this room id is derived from. */
        public EventId createEventId() {
            return EventId.parse("$" + hash);
        }

        @Override
        public String toString() {
            return "!" + hash;
        }
    }

    String KIND = "room id";

    /** The server that created the room, for the classic form only. */
    Optional<ServerName> domain();

    /** @throws InvalidIdentifierException if the text is not a room id */
    static RoomId parse(String text) {
        if (!text.startsWith("!")) {
            throw new InvalidIdentifierException(KIND, text, "must start with '!'");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            return new Hashed(text.substring(1));
        }
        try {
            return new Classic(text.substring(1, colon), ServerName.parse(text.substring(colon + 1)));
        } catch (InvalidIdentifierException e) {
            throw new InvalidIdentifierException(KIND, text, e.reason());
        }
    }
}
