package dev.myelin.spec.id;

import dev.myelin.spec.event.RoomVersion.EventFormat;

import java.util.Optional;

/**
 * An event id (spec: appendices "Event IDs", rooms v1/v3/v4 "Event IDs"): {@code $opaque:server}
 * in room versions 1-2, {@code $} + 43 characters of standard unpadded base64 (the reference hash)
 * in version 3, and of URL-safe unpadded base64 from version 4. At most 255 bytes.
 */
public record EventId(String value) {
    private static final String KIND = "event id";

    public EventId {
        String problem = problem(value);
        if (problem != null) {
            throw new InvalidIdentifierException(KIND, value, problem);
        }
    }

    /** Parses an event id of any room version's format. @throws InvalidIdentifierException */
    public static EventId parse(String text) {
        return new EventId(text);
    }

    /** Parses an event id in the format a room version uses. @throws InvalidIdentifierException */
    public static EventId parse(String text, EventFormat format) {
        EventId id = new EventId(text);
        if (!id.matches(format)) {
            throw new InvalidIdentifierException(KIND, text, "not in the " + format + " format");
        }
        return id;
    }

    /** Whether this id has the shape a room version with this event format uses. */
    public boolean matches(EventFormat format) {
        return switch (format) {
            case V1_SERVER_GENERATED -> server().isPresent();
            case V3_REFERENCE_HASH -> Grammar.isHash(value.substring(1), false);
            case V4_URL_SAFE_REFERENCE_HASH -> Grammar.isHash(value.substring(1), true);
        };
    }

    /** The server of a room version 1-2 event id. */
    public Optional<ServerName> server() {
        int colon = value.indexOf(':');
        return colon < 0 ? Optional.empty() : Optional.of(ServerName.parse(value.substring(colon + 1)));
    }

    private static String problem(String value) {
        if (value == null || !value.startsWith("$")) {
            return "must start with '$'";
        }
        if (Grammar.utf8Length(value) > Grammar.MAX_ID_BYTES) {
            return "longer than 255 bytes";
        }
        int colon = value.indexOf(':');
        if (colon >= 0) {
            String localProblem = Grammar.historicalLocalpartProblem(value.substring(1, colon));
            if (localProblem != null) {
                return localProblem;
            }
            try {
                ServerName.parse(value.substring(colon + 1));
            } catch (InvalidIdentifierException e) {
                return e.reason();
            }
            return null;
        }
        String hash = value.substring(1);
        return Grammar.isHash(hash, false) || Grammar.isHash(hash, true)
                ? null : "must be a 43-character base64 hash or have a ':server'";
    }

    @Override
    public String toString() {
        return value;
    }
}
