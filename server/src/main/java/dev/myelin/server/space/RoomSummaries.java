package dev.myelin.server.space;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Summaries of local rooms (spec: definitions/room_summary.yaml, the public rooms chunk plus room_type,
 * allowed_room_ids, encryption and room_version) and who may see them (MSC3266 and space_hierarchy.yaml): members
 * and invitees; anyone for public, knockable or world-readable rooms; for restricted rooms, members of an allowed
 * room.
 */
public final class RoomSummaries {
    private static final StateKey NAME = new StateKey("m.room.name", "");
    private static final StateKey TOPIC = new StateKey("m.room.topic", "");
    private static final StateKey ALIAS = new StateKey("m.room.canonical_alias", "");
    private static final StateKey AVATAR = new StateKey("m.room.avatar", "");
    private static final StateKey JOIN_RULES = new StateKey("m.room.join_rules", "");
    private static final StateKey HISTORY = new StateKey("m.room.history_visibility", "");
    private static final StateKey GUESTS = new StateKey("m.room.guest_access", "");
    private static final StateKey CREATE = new StateKey("m.room.create", "");
    private static final StateKey ENCRYPTION = new StateKey("m.room.encryption", "");
    private static final List<StateKey> KEYS = List.of(NAME, TOPIC, ALIAS, AVATAR, JOIN_RULES, HISTORY, GUESTS,
            CREATE, ENCRYPTION);

    private final RoomService rooms;
    private final RoomStore store;

    public RoomSummaries(RoomService rooms) {
        this.rooms = rooms;
        this.store = rooms.store();
    }

    /** The state a summary is made of, read once. */
    public final class Summary {
        private final RoomStore.Room room;
        private final Map<String, ObjectNode> state = new HashMap<>();

        Summary(RoomStore.Room room) {
            this.room = room;
            RoomVersion version = RoomService.version(room);
            store.state(room.currentSnapshot(), KEYS)
                    .forEach((key, event) -> state.put(key.type(), rooms.pdu(event, version).content()));
        }

        public RoomStore.Room room() {
            return room;
        }

        private Optional<String> text(StateKey key, String field) {
            JsonNode value = state.getOrDefault(key.type(), Json.MAPPER.createObjectNode()).get(field);
            return value != null && value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
        }

        public String joinRule() {
            return text(JOIN_RULES, "join_rule").orElse("invite");
        }

        public boolean worldReadable() {
            return text(HISTORY, "history_visibility").filter("world_readable"::equals).isPresent();
        }

        public Optional<String> roomType() {
            return text(CREATE, "type");
        }

        /** Rooms whose members may join a restricted room (allow entries of type m.room_membership). */
        public List<String> allowedRoomIds() {
            var out = new ArrayList<String>();
            if (!joinRule().equals("restricted") && !joinRule().equals("knock_restricted")) {
                return out;
            }
            JsonNode allow = state.getOrDefault(JOIN_RULES.type(), Json.MAPPER.createObjectNode()).path("allow");
            for (JsonNode entry : allow) {
                if ("m.room_membership".equals(entry.path("type").asText()) && entry.path("room_id").isTextual()) {
                    out.add(entry.get("room_id").asText());
                }
            }
            return out;
        }

        /** Whether anyone may see the summary, without an account. */
        public boolean open() {
            String rule = joinRule();
            return rule.equals("public") || rule.equals("knock") || rule.equals("knock_restricted") || worldReadable();
        }

        /** Whether the user may see the summary (their membership, the join rules, the history visibility). */
        public boolean visibleTo(String userId) {
            String membership = rooms.currentMembership(room.roomId(), userId);
            if (membership.equals("join") || membership.equals("invite") || open()) {
                return true;
            }
            for (String allowed : allowedRoomIds()) {
                if ("join".equals(rooms.currentMembership(allowed, userId))) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Whether another server may see the summary (spec: server-server space_hierarchy.yaml, "rooms the requesting
         * server could feasibly peek/join"): open rooms, rooms one of its users is joined or invited to, and
         * restricted rooms one of its users could join through an allowed room.
         */
        public boolean visibleToServer(String server) {
            if (open() || hasMemberOf(room.roomId(), server, true)) {
                return true;
            }
            return allowedRoomIds().stream().anyMatch(allowed -> hasMemberOf(allowed, server, false));
        }

        /**
         * Whether this server is in the room, so its summary is current: a local user is joined, or nobody is (a
         * local room everyone left). Otherwise the summary comes from a server that is.
         */
        public boolean current() {
            if (room.partialState()) {
                return false;
            }
            var joined = store.members(room.roomId(), "join");
            return joined.isEmpty() || joined.stream().anyMatch(m -> m.userId().endsWith(":" + rooms.serverName()));
        }

        /** The summary fields (without membership). */
        public ObjectNode render() {
            ObjectNode out = Json.MAPPER.createObjectNode();
            out.put("room_id", room.roomId());
            text(NAME, "name").ifPresent(v -> out.put("name", v));
            text(TOPIC, "topic").ifPresent(v -> out.put("topic", v));
            text(ALIAS, "alias").ifPresent(v -> out.put("canonical_alias", v));
            text(AVATAR, "url").ifPresent(v -> out.put("avatar_url", v));
            out.put("num_joined_members", store.members(room.roomId(), "join").size());
            out.put("join_rule", joinRule());
            out.put("world_readable", worldReadable());
            out.put("guest_can_join", text(GUESTS, "guest_access").filter("can_join"::equals).isPresent());
            roomType().ifPresent(v -> out.put("room_type", v));
            List<String> allowed = allowedRoomIds();
            if (!allowed.isEmpty()) {
                var array = out.putArray("allowed_room_ids");
                allowed.forEach(array::add);
            }
            text(ENCRYPTION, "algorithm").ifPresent(v -> out.put("encryption", v));
            out.put("room_version", room.version());
            return out;
        }
    }

    private boolean hasMemberOf(String roomId, String server, boolean orInvited) {
        String suffix = ":" + server;
        return store.members(roomId, "join").stream().anyMatch(m -> m.userId().endsWith(suffix))
                || orInvited && store.members(roomId, "invite").stream().anyMatch(m -> m.userId().endsWith(suffix));
    }

    /**
     * Whether a user may see the summary another server gave of a room this server is not in (as Synapse decides):
     * open rooms, restricted rooms whose allowed rooms the user is joined to, rooms the user is joined or invited to.
     */
    public boolean remoteVisibleTo(ObjectNode summary, Optional<String> userId) {
        String rule = summary.path("join_rule").asText("public");
        if (rule.equals("public") || rule.equals("knock") || rule.equals("knock_restricted")
                || summary.path("world_readable").asBoolean(false)) {
            return true;
        }
        if (userId.isEmpty()) {
            return false;
        }
        for (JsonNode allowed : summary.path("allowed_room_ids")) {
            if (allowed.isTextual() && "join".equals(rooms.currentMembership(allowed.asText(), userId.get()))) {
                return true;
            }
        }
        String membership = rooms.currentMembership(summary.path("room_id").asText(), userId.get());
        return membership.equals("join") || membership.equals("invite");
    }

    public Optional<Summary> of(String roomId) {
        return store.room(roomId).filter(room -> room.currentSnapshot() != 0).map(Summary::new);
    }

    /** The room's m.space.child events with a non-empty via (spec: "m.space.child"), as stored. */
    public List<StoredEvent> children(RoomStore.Room room) {
        RoomVersion version = RoomService.version(room);
        var out = new ArrayList<StoredEvent>();
        for (StoredEvent event : store.stateOfTypes(room.currentSnapshot(), java.util.Set.of("m.space.child"))
                .values()) {
            JsonNode via = rooms.pdu(event, version).content().path("via");
            if (via.isArray() && !via.isEmpty()) {
                out.add(event);
            }
        }
        return out;
    }
}
