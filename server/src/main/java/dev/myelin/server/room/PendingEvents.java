package dev.myelin.server.room;

import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.event.EncodedPdu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Received events checked but not stored yet, to be stored together ({@link RemoteEventIngest#acceptAll}): the
 * checks of the events after them see them as if they were stored. Each leaves the room's state as it was (a
 * message at the end of the room), so the state before and after it is one stored snapshot. The stored events the
 * checks read are read once ({@link #reads}).
 */
final class PendingEvents {
    private final RoomStore store;
    private final long roomNid;
    private final EventReads reads;
    private final Map<String, EncodedPdu> events = new HashMap<>();
    private final Map<String, Long> snapshots = new HashMap<>();
    private final List<RoomStore.ReceivedInOrder> toStore = new ArrayList<>();
    private LinkedHashSet<String> extremities;

    PendingEvents(RoomStore store, long roomNid) {
        this.store = store;
        this.roomNid = roomNid;
        this.reads = new EventReads(store);
    }

    EventReads reads() {
        return reads;
    }

    boolean contains(String eventId) {
        return events.containsKey(eventId);
    }

    /** The snapshot of the state before (and after) a pending event, or null when it is not pending. */
    Long snapshotOf(String eventId) {
        return snapshots.get(eventId);
    }

    /** The pending event, or null. */
    EncodedPdu event(String eventId) {
        return events.get(eventId);
    }

    /** The room's forward extremities with the pending events in place. */
    List<String> extremities() {
        return extremities == null ? store.forwardExtremities(roomNid) : List.copyOf(extremities);
    }

    void add(EncodedPdu event, long snapshot, RoomStore.ReceivedInOrder received) {
        if (extremities == null) {
            extremities = new LinkedHashSet<>(store.forwardExtremities(roomNid));
        }
        event.pdu().prevEvents().forEach(extremities::remove);
        extremities.add(event.eventId());
        events.put(event.eventId(), event);
        snapshots.put(event.eventId(), snapshot);
        toStore.add(received);
    }

    List<RoomStore.ReceivedInOrder> toStore() {
        return toStore;
    }

    boolean isEmpty() {
        return toStore.isEmpty();
    }
}
