package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.RoomStore.RoomEnd;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The end of rooms (row and forward extremities) as this process's last sends left them, so the next send to a room
 * need not read it: only the room's writer, under the room's lock, appends local events, and every other write that
 * touches a room's row or extremities forgets the room. A send that began before its room was forgotten does not
 * put what it saw (the room's {@link #generation}, counted per stripe of rooms). Per process, like the room locks.
 */
final class KnownRoomEnds {
    private static final int STRIPES = 256;

    private final Map<String, RoomEnd> ends;
    private final long[] generations = new long[STRIPES];

    KnownRoomEnds(int capacity) {
        this.ends = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, RoomEnd> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized Optional<RoomEnd> get(String roomId) {
        return Optional.ofNullable(ends.get(roomId));
    }

    /** How often the room (or one in its stripe) was forgotten: a send notes it before it writes. */
    synchronized long generation(String roomId) {
        return generations[stripe(roomId)];
    }

    /** Keeps the end a send left, unless its room was forgotten since the send noted its {@code generation}. */
    synchronized void put(RoomEnd end, long noted) {
        String roomId = end.room().roomId();
        if (noted == generations[stripe(roomId)]) {
            ends.put(roomId, end);
        }
    }

    synchronized void forget(String roomId) {
        generations[stripe(roomId)]++;
        ends.remove(roomId);
    }

    private static int stripe(String roomId) {
        return Math.floorMod(roomId.hashCode(), STRIPES);
    }
}
