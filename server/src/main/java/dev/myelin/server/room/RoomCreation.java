package dev.myelin.server.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.spec.event.RoomVersion;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The events POST /createRoom implies, in the order the spec names (create_room.yaml): create, the creator's join,
 * power levels, canonical alias, preset events, initial_state, name and topic, invites.
 */
public final class RoomCreation {
    private RoomCreation() {}

    /** Returns the room id. */
    public static String create(RoomService rooms, String creator, CreateRoomRequest request) {
        RoomVersion version = request.version();
        String preset = request.preset().orElse(request.publicVisibility() ? "public_chat" : "private_chat");
        boolean trusted = "trusted_private_chat".equals(preset);
        boolean v12Creators = version.authorization().privilegedCreators();

        ObjectNode createContent = request.creationContent().deepCopy();
        createContent.put("room_version", version.id());
        if (version.authorization().creatorFromSender()) {
            createContent.remove("creator");
        } else {
            createContent.put("creator", creator);
        }
        if (v12Creators && trusted && !request.invite().isEmpty()) {
            Set<String> additional = new LinkedHashSet<>();
            JsonNode given = createContent.get("additional_creators");
            if (given != null && given.isArray()) {
                given.forEach(node -> additional.add(node.asText()));
            }
            additional.addAll(request.invite());
            additional.remove(creator);
            ArrayNode array = createContent.putArray("additional_creators");
            additional.forEach(array::add);
        }
        Set<String> creators = new LinkedHashSet<>();
        creators.add(creator);
        JsonNode additional = createContent.get("additional_creators");
        if (v12Creators && additional != null && additional.isArray()) {
            additional.forEach(node -> creators.add(node.asText()));
        }

        return rooms.createRoom(version, creator, createContent, roomId -> {
            var drafts = new ArrayList<RoomService.Draft>();
            drafts.add(state(creator, "m.room.member", creator, rooms.joinContent(creator, null)));
            drafts.add(state(creator, "m.room.power_levels", "",
                    powerLevels(request, creator, trusted, v12Creators, creators)));
            request.canonicalAlias().ifPresent(alias ->
                    drafts.add(state(creator, "m.room.canonical_alias", "", object(Map.of("alias", alias)))));
            String joinRule = "public_chat".equals(preset) ? "public" : "invite";
            drafts.add(state(creator, "m.room.join_rules", "", object(Map.of("join_rule", joinRule))));
            drafts.add(state(creator, "m.room.history_visibility", "",
                    object(Map.of("history_visibility", "shared"))));
            drafts.add(state(creator, "m.room.guest_access", "",
                    object(Map.of("guest_access", "public_chat".equals(preset) ? "forbidden" : "can_join"))));
            for (CreateRoomRequest.InitialState initial : request.initialState()) {
                if (request.name().isPresent() && initial.type().equals("m.room.name") && initial.stateKey().isEmpty()
                        || request.topic().isPresent() && initial.type().equals("m.room.topic")
                        && initial.stateKey().isEmpty()) {
                    continue;
                }
                drafts.add(state(creator, initial.type(), initial.stateKey(), initial.content()));
            }
            request.name().ifPresent(name ->
                    drafts.add(state(creator, "m.room.name", "", object(Map.of("name", name)))));
            request.topic().ifPresent(topic -> {
                ObjectNode content = object(Map.of("topic", topic));
                ArrayNode text = content.putObject("m.topic").putArray("m.text");
                text.addObject().put("body", topic).put("mimetype", "text/plain");
                drafts.add(state(creator, "m.room.topic", "", content));
            });
            for (String invitee : request.invite()) {
                ObjectNode content = object(Map.of("membership", "invite"));
                if (request.isDirect()) {
                    content.put("is_direct", true);
                }
                drafts.add(state(creator, "m.room.member", invitee, content));
            }
            return drafts;
        });
    }

    private static ObjectNode powerLevels(CreateRoomRequest request, String creator, boolean trusted,
                                          boolean v12Creators, Set<String> creators) {
        ObjectNode content = Json.MAPPER.createObjectNode();
        ObjectNode users = content.putObject("users");
        if (!v12Creators) {
            users.put(creator, 100);
            if (trusted) {
                request.invite().forEach(invitee -> users.put(invitee, 100));
            }
        }
        content.put("users_default", 0);
        ObjectNode events = content.putObject("events");
        events.put("m.room.name", 50);
        events.put("m.room.power_levels", 100);
        events.put("m.room.history_visibility", 100);
        events.put("m.room.canonical_alias", 50);
        events.put("m.room.avatar", 50);
        events.put("m.room.tombstone", v12Creators ? 150 : 100);
        events.put("m.room.server_acl", 100);
        events.put("m.room.encryption", 100);
        content.put("events_default", 0);
        content.put("state_default", 50);
        content.put("ban", 50);
        content.put("kick", 50);
        content.put("redact", 50);
        content.put("invite", 0);
        content.putObject("notifications").put("room", 50);
        // Like Synapse: each top-level key of the override replaces the default's.
        request.powerLevelOverride().ifPresent(override -> content.setAll(override.deepCopy()));
        if (v12Creators && content.get("users") instanceof ObjectNode finalUsers) {
            creators.forEach(finalUsers::remove);
        }
        return content;
    }

    private static RoomService.Draft state(String sender, String type, String stateKey, ObjectNode content) {
        return new RoomService.Draft(sender, type, stateKey, content);
    }

    private static ObjectNode object(Map<String, Object> fields) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        fields.forEach((k, v) -> {
            if (v instanceof String s) {
                node.put(k, s);
            } else if (v instanceof Boolean b) {
                node.put(k, b);
            } else {
                node.put(k, ((Number) v).longValue());
            }
        });
        return node;
    }
}
