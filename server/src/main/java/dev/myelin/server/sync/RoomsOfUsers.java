package dev.myelin.server.sync;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The rooms each syncing user has a membership in, as of the events position of the sync pass that read them, so
 * that a long-poll arriving with that pass's {@code next_batch} listens on them without reading its memberships
 * again. A membership that changes after that position is announced to the user too (member events are announced
 * to their state key), and the long-poll listens on the user: an announcement before it started listening is one
 * after its token, which makes it compute a pass ({@link SyncService}), and one after wakes it. A room left since is
 * only listened on in vain. A woken pass whose window holds no membership change of the user takes the joined rooms
 * from here too ({@link SyncService}).
 */
final class RoomsOfUsers {
    /** The rooms the user has a membership in, and those of them joined, as read at {@code eventsPos}. */
    record Known(Set<String> roomIds, Set<String> joined, long eventsPos) {}

    private final Map<String, Known> byUser;

    RoomsOfUsers(int capacity) {
        this.byUser = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Known> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Remembers the rooms a pass read at {@code eventsPos}, unless a pass at a later position already did. */
    synchronized void remember(String userId, Set<String> roomIds, Set<String> joined, long eventsPos) {
        byUser.merge(userId, new Known(Set.copyOf(roomIds), Set.copyOf(joined), eventsPos),
                (old, read) -> old.eventsPos() > read.eventsPos() ? old : read);
    }

    /** The user's rooms as read at {@code eventsPos} or later, or null when no such read is remembered. */
    synchronized Known asOf(String userId, long eventsPos) {
        Known known = byUser.get(userId);
        return known != null && known.eventsPos() >= eventsPos ? known : null;
    }
}
