package dev.myelin.server.sync.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;

import java.util.List;

/**
 * A sync filter (spec: client-server-api "Filtering", {@code definitions/sync_filter.yaml}): which events and
 * fields {@code /sync} returns.
 */
public record Filter(List<String> eventFields, String eventFormat, EventFilter presence, EventFilter accountData,
                     RoomFilter room) {

    public static final Filter NONE = new Filter(null, "client", EventFilter.NONE, EventFilter.NONE, RoomFilter.NONE);

    public static Filter parse(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw MatrixException.badJson("A filter must be a JSON object");
        }
        List<String> fields = EventFilter.strings(json, "event_fields", "filter");
        JsonNode format = json.get("event_format");
        String eventFormat = format == null || format.isNull() ? "client" : format.asText();
        if (!"client".equals(eventFormat) && !"federation".equals(eventFormat)) {
            throw MatrixException.badJson("'event_format' must be 'client' or 'federation'");
        }
        return new Filter(fields, eventFormat, EventFilter.parse(json.get("presence"), "presence"),
                EventFilter.parse(json.get("account_data"), "account_data"), RoomFilter.parse(json.get("room")));
    }

    /**
     * Keeps only the {@code event_fields} of an event: dotted paths, with {@code \.} for a literal dot in a key.
     */
    public ObjectNode project(ObjectNode event) {
        if (eventFields == null) {
            return event;
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        for (String field : eventFields) {
            List<String> path = splitPath(field);
            JsonNode value = event;
            for (String key : path) {
                value = value == null ? null : value.get(key);
            }
            if (value == null) {
                continue;
            }
            ObjectNode target = out;
            for (String key : path.subList(0, path.size() - 1)) {
                target = target.withObject(key);
            }
            target.set(path.getLast(), value);
        }
        return out;
    }

    private static List<String> splitPath(String field) {
        var parts = new java.util.ArrayList<String>();
        var current = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 1 < field.length()) {
                current.append(field.charAt(++i));
            } else if (c == '.') {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }
}
