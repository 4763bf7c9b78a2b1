package dev.myelin.server.sync;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.util.List;
import java.util.Map;

/**
 * The stripped state an invited or knocking user sees (spec: client-server-api "Stripped state"): the room's
 * create, join rules, name, avatar, topic, canonical alias and encryption events, plus the user's own membership.
 */
final class StrippedState {
    private static final List<StateKey> KEYS = List.of(new StateKey("m.room.create", ""),
            new StateKey("m.room.join_rules", ""), new StateKey("m.room.name", ""),
            new StateKey("m.room.avatar", ""), new StateKey("m.room.topic", ""),
            new StateKey("m.room.canonical_alias", ""), new StateKey("m.room.encryption", ""));

    private final RoomService rooms;

    StrippedState(RoomService rooms) {
        this.rooms = rooms;
    }

    /** The stripped state after the user's membership event (an invite or a knock), that event included. */
    ArrayNode of(RoomStore.Room room, StoredEvent membership) {
        RoomVersion version = RoomService.version(room);
        ArrayNode events = Json.MAPPER.createArrayNode();
        // An invite to a room this server is not in: the stripped state the inviting server sent with it.
        var sent = rooms.store().inviteRoomState(membership.nid());
        if (sent.isPresent()) {
            try {
                if (Json.MAPPER.readTree(sent.get()) instanceof ArrayNode given) {
                    given.forEach(event -> {
                        if (event.isObject() && !membership.eventId().equals(event.path("event_id").asText())) {
                            events.add(event);
                        }
                    });
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            events.add(stripped(rooms.pdu(membership, version)));
            return events;
        }
        Map<StateKey, StoredEvent> state = rooms.store().state(membership.stateAfter(), KEYS);
        for (StateKey key : KEYS) {
            StoredEvent event = state.get(key);
            if (event != null) {
                events.add(stripped(rooms.pdu(event, version)));
            }
        }
        events.add(stripped(rooms.pdu(membership, version)));
        return events;
    }

    private static ObjectNode stripped(Pdu pdu) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("content", pdu.content());
        out.put("sender", pdu.sender());
        out.put("state_key", pdu.stateKey());
        out.put("type", pdu.type());
        return out;
    }
}
