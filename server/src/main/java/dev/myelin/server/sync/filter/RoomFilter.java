package dev.myelin.server.sync.filter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.http.MatrixException;

import java.util.List;

/** The {@code room} part of a sync filter: which rooms, and a filter per section of each room. */
public record RoomFilter(List<String> rooms, List<String> notRooms, boolean includeLeave, EventFilter timeline,
                         EventFilter state, EventFilter ephemeral, EventFilter accountData) {

    public static final RoomFilter NONE = new RoomFilter(null, List.of(), false, EventFilter.NONE, EventFilter.NONE,
            EventFilter.NONE, EventFilter.NONE);

    static RoomFilter parse(JsonNode json) {
        if (json == null || json.isNull()) {
            return NONE;
        }
        if (!json.isObject()) {
            throw MatrixException.badJson("'room' must be an object");
        }
        List<String> notRooms = EventFilter.strings(json, "not_rooms", "room");
        return new RoomFilter(EventFilter.strings(json, "rooms", "room"), notRooms == null ? List.of() : notRooms,
                Boolean.TRUE.equals(EventFilter.bool(json, "include_leave", "room")),
                EventFilter.parse(json.get("timeline"), "room.timeline"),
                EventFilter.parse(json.get("state"), "room.state"),
                EventFilter.parse(json.get("ephemeral"), "room.ephemeral"),
                EventFilter.parse(json.get("account_data"), "room.account_data"));
    }

    public boolean allowsRoom(String roomId) {
        return !notRooms.contains(roomId) && (rooms == null || rooms.contains(roomId));
    }
}
