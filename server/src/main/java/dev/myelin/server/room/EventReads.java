package dev.myelin.server.room;

import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Stored events by id, each read once: for checks that run under the room's lock within one read transaction,
 * where nothing they read can change (the auth events of a transaction's messages are the same few events).
 */
final class EventReads {
    private final RoomStore store;
    private final Map<String, Optional<StoredEvent>> read = new HashMap<>();

    EventReads(RoomStore store) {
        this.store = store;
    }

    Optional<StoredEvent> event(String eventId) {
        return read.computeIfAbsent(eventId, store::event);
    }
}
