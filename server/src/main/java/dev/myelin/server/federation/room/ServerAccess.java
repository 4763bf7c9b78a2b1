package dev.myelin.server.federation.room;

import dev.myelin.server.federation.acl.ServerAcls;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.event.StateKey;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What another server may read of a room: it must be in the room (one of its users joined), and events are subject
 * to history visibility as for its users (spec: server-server-api "Retrieving events", client-server-api "History
 * visibility": world_readable and shared events are visible to a server in the room now, joined and invited ones
 * only to a server that had a member joined, or invited, at the event). A server the room's server ACL denies may
 * not use any endpoint that takes the room (spec: server-server-api "Server Access Control Lists (ACLs)").
 */
final class ServerAccess {
    private static final StateKey HISTORY_VISIBILITY = new StateKey("m.room.history_visibility", "");

    private final RoomService rooms;
    private final RoomStore store;
    private final ServerAcls acls;

    ServerAccess(RoomService rooms, ServerAcls acls) {
        this.rooms = rooms;
        this.store = rooms.store();
        this.acls = acls;
    }

    /** 403 {@code M_FORBIDDEN} when the room's server ACL denies {@code origin}. */
    void requireAllowed(String roomId, String origin) {
        acls.require(roomId, origin);
    }

    /**
     * The room, when {@code origin} has a joined member in it and the server ACL allows it; 403 otherwise (404 when
     * the room is unknown).
     */
    RoomStore.Room requireInRoom(String roomId, String origin) {
        RoomStore.Room room = store.room(roomId).filter(r -> r.currentSnapshot() != 0)
                .orElseThrow(() -> MatrixException.notFound("Unknown room " + roomId));
        requireAllowed(roomId, origin);
        if (!serversIn(roomId).contains(origin)) {
            throw MatrixException.forbidden(origin + " is not in room " + roomId);
        }
        return room;
    }

    /**
     * The servers with a joined member in the room's current state, and while the room's state is partial (MSC3706)
     * the servers the resident server named in {@code servers_in_room}, as the members are not known yet.
     */
    Set<String> serversIn(String roomId) {
        return store.room(roomId).map(this::serversIn).orElseGet(LinkedHashSet::new);
    }

    /** The servers of the room's joined members, as of the room's current state; more while it is partial. */
    Set<String> serversIn(RoomStore.Room room) {
        var servers = new LinkedHashSet<String>();
        for (String member : rooms.joinedMembers(room)) {
            servers.add(domain(member));
        }
        if (room.partialState()) {
            servers.addAll(store.partialStateServers(room.roomId()));
        }
        return servers;
    }

    static String domain(String userId) {
        return userId.substring(userId.indexOf(':') + 1);
    }

    /** Whether {@code origin}, in the room now, may see the event. */
    boolean maySee(RoomStore.Room room, StoredEvent event, String origin) {
        if (event.rejected()) {
            return false;
        }
        if (event.outlier()) {
            // Auth and state events of a room this server joined: the state at them is unknown, and a server in the
            // room needs them for its own checks.
            return true;
        }
        Map<StateKey, StoredEvent> visibility = store.state(event.stateBefore(), java.util.List.of(HISTORY_VISIBILITY));
        StoredEvent setting = visibility.get(HISTORY_VISIBILITY);
        String rule = setting == null ? "shared"
                : rooms.pdu(setting, RoomService.version(room)).content().path("history_visibility").asText("shared");
        if ("world_readable".equals(rule) || "shared".equals(rule)) {
            return true;
        }
        for (StoredEvent member : store.stateOfTypes(event.stateAfterOrBefore(), Set.of("m.room.member")).values()) {
            var pdu = rooms.pdu(member, RoomService.version(room));
            if (!origin.equals(domain(pdu.stateKey()))) {
                continue;
            }
            String membership = pdu.content().path("membership").asText();
            if ("join".equals(membership) || "invited".equals(rule) && "invite".equals(membership)) {
                return true;
            }
        }
        return false;
    }
}
