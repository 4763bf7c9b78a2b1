package dev.myelin.server.push;

import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.auth.AuthState;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.StateKey;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What push evaluation needs to know about a room, read from its current state once per batch of events: the
 * joined members, display names, power levels and the room name.
 */
final class RoomFacts {
    final RoomStore.Room room;
    private final RoomService rooms;
    private final String serverSuffix;
    private List<String> joined;
    private AuthState power;
    private final Map<String, String> displayNames = new HashMap<>();

    RoomFacts(RoomService rooms, RoomStore.Room room) {
        this.rooms = rooms;
        this.room = room;
        this.serverSuffix = ":" + rooms.serverName();
    }

    boolean isLocal(String userId) {
        return userId != null && userId.endsWith(serverSuffix);
    }

    private List<String> joined() {
        if (joined == null) {
            joined = rooms.joinedMembers(room);
        }
        return joined;
    }

    List<String> localJoined() {
        return joined().stream().filter(this::isLocal).toList();
    }

    long joinedCount() {
        return joined().size();
    }

    AuthState power() {
        if (power == null) {
            power = rooms.powerState(room);
        }
        return power;
    }

    /** The user's display name in the room, null when none is set. */
    String displayName(String userId) {
        return displayNames.computeIfAbsent(userId, id -> {
            String name = stateContent("m.room.member", id, "displayname");
            return name == null ? "" : name;
        }).transform(name -> name.isEmpty() ? null : name);
    }

    String roomName() {
        return stateContent("m.room.name", "", "name");
    }

    private String stateContent(String type, String stateKey, String field) {
        var key = new StateKey(type, stateKey);
        Pdu event = rooms.stateEntries(room.currentSnapshot(), List.of(key), RoomService.version(room)).get(key);
        if (event == null) {
            return null;
        }
        var value = event.content().get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
