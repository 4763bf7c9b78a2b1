package dev.myelin.server.room;

import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.event.Pdu;

import java.util.List;

/** Told of events once they are persisted in a room and visible (federation sending, push). */
@FunctionalInterface
public interface RoomEventListener {
    /**
     * @param room   the room as the events left it (its current state after them)
     * @param events the events, in order
     * @param local  whether this server created them (false: received from another server)
     */
    void persisted(RoomStore.Room room, List<Pdu> events, boolean local);
}
