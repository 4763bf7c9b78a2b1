package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.spec.event.Pdu;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The parts of a RoomEventFilter (spec: client-server-api "Filtering") that /messages applies: types, not_types,
 * senders, not_senders (with '*' wildcards in types), limit and lazy_load_members. A filter id stored with the
 * filter API is not known yet and is ignored.
 */
record EventFilter(List<String> types, List<String> notTypes, List<String> senders, List<String> notSenders,
                   Optional<Integer> limit, boolean lazyLoadMembers) {

    static final EventFilter NONE = new EventFilter(null, List.of(), null, List.of(), Optional.empty(), false);

    static EventFilter parse(Optional<String> text) {
        if (text.isEmpty() || !text.get().trim().startsWith("{")) {
            return NONE;
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(text.get());
        } catch (IOException e) {
            throw MatrixException.invalidParam("'filter' is not valid JSON");
        }
        JsonNode limit = json.get("limit");
        return new EventFilter(list(json, "types"), orEmpty(list(json, "not_types")), list(json, "senders"),
                orEmpty(list(json, "not_senders")),
                limit != null && limit.canConvertToInt() ? Optional.of(limit.asInt()) : Optional.empty(),
                json.path("lazy_load_members").asBoolean(false));
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }

    private static List<String> list(JsonNode json, String name) {
        JsonNode node = json.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw MatrixException.badJson("filter '" + name + "' must be a list");
        }
        var out = new ArrayList<String>();
        node.forEach(entry -> out.add(entry.asText()));
        return out;
    }

    boolean matches(Pdu event) {
        if (notTypes.stream().anyMatch(pattern -> glob(pattern, event.type()))) {
            return false;
        }
        if (types != null && types.stream().noneMatch(pattern -> glob(pattern, event.type()))) {
            return false;
        }
        if (notSenders.contains(event.sender())) {
            return false;
        }
        return senders == null || senders.contains(event.sender());
    }

    private static boolean glob(String pattern, String value) {
        if (!pattern.contains("*")) {
            return pattern.equals(value);
        }
        String regex = java.util.regex.Pattern.quote(pattern).replace("*", "\\E.*\\Q");
        return value.matches(regex);
    }
}
