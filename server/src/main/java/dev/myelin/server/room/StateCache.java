package dev.myelin.server.room;

import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.StateKey;

import java.util.Optional;

/**
 * A small LRU of state entries by (snapshot nid, state key): a snapshot never changes once stored, so the auth
 * events of a room's next event (create, power levels, the sender's membership) are read from the database once per
 * snapshot instead of once per event. The room's writer also records the state its events built (see
 * {@code RoomService.persist}), so sending after a state change needs no read either.
 */
final class StateCache {
    private record Key(long snapshot, StateKey stateKey) {}

    private final LruCache<Key, Optional<Pdu>> entries;

    StateCache(int capacity) {
        this.entries = new LruCache<>(capacity);
    }

    /** The entry, empty when the snapshot has none, or null when it is not cached. */
    Optional<Pdu> get(long snapshot, StateKey key) {
        return entries.getIfPresent(new Key(snapshot, key));
    }

    void put(long snapshot, StateKey key, Optional<Pdu> event) {
        entries.put(new Key(snapshot, key), event);
    }
}
