package dev.myelin.server.sync;

import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.StreamName;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A position in every stream that feeds sync: {@code s<events>} followed by {@code ~<stream>.<position>} for each
 * other stream, e.g. {@code s120~typing.4~to_device.9}. The leading {@code s<events>} part alone is the pagination
 * token of {@code /messages}, so a {@code next_batch} can be used as a {@code /messages} {@code from} (spec:
 * client-server-api "Syncing").
 */
public record SyncToken(long events, Map<StreamName, Long> streams) {

    public SyncToken {
        streams = Map.copyOf(streams);
    }

    public long position(StreamName stream) {
        return streams.getOrDefault(stream, 0L);
    }

    /** Parses a token; {@code M_INVALID_PARAM} when it is not one of ours. */
    public static SyncToken parse(String token) {
        if (token == null || !token.startsWith("s")) {
            throw MatrixException.invalidParam("Invalid sync token " + token);
        }
        String[] parts = token.substring(1).split("~", -1);
        try {
            long events = Long.parseLong(parts[0]);
            var streams = new LinkedHashMap<StreamName, Long>();
            for (int i = 1; i < parts.length; i++) {
                int dot = parts[i].lastIndexOf('.');
                streams.put(StreamName.of(parts[i].substring(0, dot)), Long.parseLong(parts[i].substring(dot + 1)));
            }
            if (events < 0 || streams.values().stream().anyMatch(position -> position < 0)) {
                throw MatrixException.invalidParam("Invalid sync token " + token);
            }
            return new SyncToken(events, streams);
        } catch (RuntimeException e) {
            if (e instanceof MatrixException matrix) {
                throw matrix;
            }
            throw MatrixException.invalidParam("Invalid sync token " + token);
        }
    }

    /** A token for a position in the events stream only: what {@code /messages} and {@code prev_batch} use. */
    public static SyncToken at(long eventsPosition) {
        return new SyncToken(eventsPosition, Map.of());
    }

    /**
     * The events-stream position of a pagination token: a {@code /messages} token (negative in backfilled history),
     * a sync {@code next_batch}, or the bare number older tokens carried.
     */
    public static long eventsPosition(String token) {
        if (token != null && !token.isEmpty() && token.chars().allMatch(Character::isDigit)) {
            token = "s" + token;
        }
        // Backfilled history sits at negative positions (RoomStore.persistBackfilled): s-<n> is a place in it.
        if (token != null && token.length() > 2 && token.startsWith("s-")
                && token.substring(2).chars().allMatch(Character::isDigit)) {
            return -parse("s" + token.substring(2)).events();
        }
        return parse(token).events();
    }

    public String serialize() {
        var out = new StringBuilder("s").append(events);
        streams.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(StreamName::value)))
                .forEach(entry -> out.append('~').append(entry.getKey()).append('.').append(entry.getValue()));
        return out.toString();
    }

    @Override
    public String toString() {
        return serialize();
    }
}
