package dev.myelin.server.room;

import dev.myelin.spec.event.Pdu;

import java.util.List;

/** Told of events once they are persisted in a room and visible (federation sending, push). */
@FunctionalInterface
public interface RoomEventListener {
    /**
     * @param events the events, in order
     * @param local  whether this server created them (false: received from another server)
     */
    void persisted(String roomId, List<Pdu> events, boolean local);
}
