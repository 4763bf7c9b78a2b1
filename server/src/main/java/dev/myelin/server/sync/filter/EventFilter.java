package dev.myelin.server.sync.filter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.http.MatrixException;

import java.util.ArrayList;
import java.util.List;

/**
 * An EventFilter or RoomEventFilter (spec: client-server-api "Filtering", {@code definitions/room_event_filter.yaml}).
 * Absent lists mean "no restriction"; {@code types} and {@code not_types} accept {@code *} wildcards; {@code not_*}
 * wins over the matching include list.
 */
public record EventFilter(Integer limit, List<String> types, List<String> notTypes, List<String> senders,
                          List<String> notSenders, List<String> rooms, List<String> notRooms, Boolean containsUrl,
                          boolean lazyLoadMembers, boolean includeRedundantMembers,
                          boolean unreadThreadNotifications) {

    public static final EventFilter NONE = new EventFilter(null, null, List.of(), null, List.of(), null, List.of(),
            null, false, false, false);

    /** Parses a filter object; {@code M_BAD_JSON} names the field that has the wrong type. */
    public static EventFilter parse(JsonNode json, String where) {
        if (json == null || json.isNull() || json.isMissingNode()) {
            return NONE;
        }
        if (!json.isObject()) {
            throw MatrixException.badJson("'" + where + "' must be an object");
        }
        JsonNode limit = json.get("limit");
        if (limit != null && !limit.isNull() && !limit.canConvertToInt()) {
            throw MatrixException.badJson("'" + where + ".limit' must be an integer");
        }
        if (limit != null && limit.canConvertToInt() && limit.asInt() < 0) {
            throw MatrixException.badJson("'" + where + ".limit' must not be negative");
        }
        return new EventFilter(limit != null && limit.canConvertToInt() ? limit.asInt() : null,
                strings(json, "types", where), orEmpty(strings(json, "not_types", where)),
                strings(json, "senders", where), orEmpty(strings(json, "not_senders", where)),
                strings(json, "rooms", where), orEmpty(strings(json, "not_rooms", where)),
                bool(json, "contains_url", where), Boolean.TRUE.equals(bool(json, "lazy_load_members", where)),
                Boolean.TRUE.equals(bool(json, "include_redundant_members", where)),
                Boolean.TRUE.equals(bool(json, "unread_thread_notifications", where)));
    }

    static List<String> strings(JsonNode json, String field, String where) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw MatrixException.badJson("'" + where + "." + field + "' must be a list of strings");
        }
        var out = new ArrayList<String>();
        for (JsonNode item : node) {
            if (!item.isTextual()) {
                throw MatrixException.badJson("'" + where + "." + field + "' must be a list of strings");
            }
            out.add(item.asText());
        }
        return List.copyOf(out);
    }

    static Boolean bool(JsonNode json, String field, String where) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isBoolean()) {
            throw MatrixException.badJson("'" + where + "." + field + "' must be a boolean");
        }
        return node.asBoolean();
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }

    /** Whether an event passes the type, sender, room and contains_url conditions. */
    public boolean matches(JsonNode event) {
        String type = event.path("type").asText();
        String sender = event.path("sender").asText(null);
        String roomId = event.path("room_id").asText(null);
        if (notTypes.stream().anyMatch(pattern -> glob(pattern, type))) {
            return false;
        }
        if (types != null && types.stream().noneMatch(pattern -> glob(pattern, type))) {
            return false;
        }
        if (sender != null && (notSenders.contains(sender) || senders != null && !senders.contains(sender))) {
            return false;
        }
        if (roomId != null && !allowsRoom(roomId)) {
            return false;
        }
        if (containsUrl != null) {
            boolean hasUrl = event.path("content").path("url").isTextual();
            return hasUrl == containsUrl;
        }
        return true;
    }

    public boolean allowsRoom(String roomId) {
        return !notRooms.contains(roomId) && (rooms == null || rooms.contains(roomId));
    }

    public int limitOr(int fallback) {
        return limit == null ? fallback : limit;
    }

    private static boolean glob(String pattern, String value) {
        if (!pattern.contains("*")) {
            return pattern.equals(value);
        }
        String[] parts = pattern.split("\\*", -1);
        int at = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (i == 0) {
                if (!value.startsWith(part)) {
                    return false;
                }
                at = part.length();
            } else if (i == parts.length - 1) {
                return value.length() - part.length() >= at && value.endsWith(part);
            } else {
                int found = value.indexOf(part, at);
                if (found < 0) {
                    return false;
                }
                at = found + part.length();
            }
        }
        return at == value.length();
    }
}
