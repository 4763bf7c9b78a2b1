package dev.myelin.server.presence;

import dev.myelin.server.storage.PresenceStore;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.StreamName;
import dev.myelin.server.storage.sql.SqlPresenceStore;
import dev.myelin.server.sync.SyncContext;
import dev.myelin.server.sync.SyncContributor;
import dev.myelin.server.sync.SyncResponse;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The top-level {@code presence} section: {@code m.presence} of the users sharing a joined room with the syncing
 * user (and the user's own) whose presence changed since the token. An initial sync, and a newly joined room, bring
 * the presence of the members who are not offline.
 */
public final class PresenceSync implements SyncContributor {
    private final PresenceService presence;
    private final PresenceStore store;
    private final RoomStore rooms;

    public PresenceSync(PresenceService presence, PresenceStore store, RoomStore rooms) {
        this.presence = presence;
        this.store = store;
        this.rooms = rooms;
    }

    @Override
    public StreamName stream() {
        return SqlPresenceStore.STREAM;
    }

    @Override
    public long currentPosition() {
        return store.currentPosition();
    }

    @Override
    public long contribute(SyncContext context, long since, long upTo, SyncResponse response) {
        Map<String, PresenceStore.Presence> found = new LinkedHashMap<>();
        if (since > 0 && since < upTo) {
            for (PresenceStore.Stored stored : store.changed(since, upTo)) {
                String userId = stored.presence().userId();
                if (userId.equals(context.userId()) || sharesRoom(userId, context.joinedRooms())) {
                    found.put(userId, stored.presence());
                }
            }
        }
        Set<String> membersOfNewRooms = new LinkedHashSet<>();
        if (since == 0) {
            membersOfNewRooms.add(context.userId());
        }
        for (String roomId : since == 0 ? context.joinedRooms() : context.newlyJoinedRooms()) {
            rooms.members(roomId, "join").forEach(member -> membersOfNewRooms.add(member.userId()));
        }
        membersOfNewRooms.removeAll(found.keySet());
        for (PresenceStore.Stored stored : store.of(membersOfNewRooms)) {
            if (stored.streamPos() <= upTo && !stored.presence().state().equals(PresenceService.OFFLINE)) {
                found.put(stored.presence().userId(), stored.presence());
            }
        }
        found.values().forEach(p -> response.addEvent("presence", presence.event(presence.current(p))));
        return upTo;
    }

    private boolean sharesRoom(String userId, Set<String> joinedRooms) {
        return rooms.membershipsOf(userId).stream()
                .anyMatch(m -> m.membership().equals("join") && joinedRooms.contains(m.roomId()));
    }
}
