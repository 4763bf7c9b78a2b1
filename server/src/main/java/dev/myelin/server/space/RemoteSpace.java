package dev.myelin.server.space;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Another server's answer to GET /hierarchy/{roomId} (spec: server-server space_hierarchy.yaml), kept to the fields
 * of a room summary with the right types, so nothing else another server sends reaches clients.
 *
 * @param room                 the room's summary with its {@code children_state}
 * @param children             summaries of its children that server could give
 * @param inaccessibleChildren children that server knows the requesting server may not see
 */
public record RemoteSpace(ObjectNode room, List<ObjectNode> children, List<String> inaccessibleChildren) {
    private static final List<String> TEXT = List.of("room_id", "name", "topic", "canonical_alias", "avatar_url",
            "join_rule", "room_type", "encryption", "room_version");
    private static final List<String> FLAGS = List.of("world_readable", "guest_can_join");

    /** The answer about {@code roomId}, or empty when it is not one. */
    public static Optional<RemoteSpace> parse(String roomId, JsonNode answer) {
        Optional<ObjectNode> room = summary(answer.path("room"))
                .filter(summary -> summary.path("room_id").asText().equals(roomId));
        if (room.isEmpty()) {
            return Optional.empty();
        }
        ArrayNode childrenState = room.get().putArray("children_state");
        for (JsonNode event : answer.path("room").path("children_state")) {
            if ("m.space.child".equals(event.path("type").asText()) && event.path("state_key").isTextual()
                    && event.path("sender").isTextual() && event.path("content").isObject()
                    && event.path("origin_server_ts").canConvertToLong()) {
                ObjectNode stripped = childrenState.addObject();
                for (String field : List.of("type", "state_key", "sender", "content", "origin_server_ts")) {
                    stripped.set(field, event.get(field));
                }
            }
        }
        var children = new ArrayList<ObjectNode>();
        answer.path("children").forEach(child -> summary(child).ifPresent(children::add));
        var inaccessible = new ArrayList<String>();
        answer.path("inaccessible_children").forEach(id -> {
            if (id.isTextual()) {
                inaccessible.add(id.asText());
            }
        });
        return Optional.of(new RemoteSpace(room.get(), children, inaccessible));
    }

    /** The room summary fields of {@code node}, or empty without a room id and member count. */
    static Optional<ObjectNode> summary(JsonNode node) {
        if (!node.path("room_id").isTextual() || !node.path("num_joined_members").canConvertToLong()) {
            return Optional.empty();
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        for (String field : TEXT) {
            if (node.path(field).isTextual()) {
                out.put(field, node.get(field).asText());
            }
        }
        for (String field : FLAGS) {
            out.put(field, node.path(field).asBoolean(false));
        }
        out.put("num_joined_members", node.get("num_joined_members").asLong());
        if (!out.has("join_rule")) {
            out.put("join_rule", "public");
        }
        if (node.path("allowed_room_ids").isArray()) {
            ArrayNode allowed = out.putArray("allowed_room_ids");
            node.get("allowed_room_ids").forEach(id -> {
                if (id.isTextual()) {
                    allowed.add(id.asText());
                }
            });
        }
        return Optional.of(out);
    }
}
