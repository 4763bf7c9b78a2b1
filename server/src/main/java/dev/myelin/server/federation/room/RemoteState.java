package dev.myelin.server.federation.room;

import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.room.RemoteEventIngest;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What an event received without its context needs from the server that sent it, stored as outliers: its auth
 * chain ({@code /event_auth}) and the state before it ({@code /state_ids}, then {@code /event} for each event this
 * server lacks, or {@code /state} at once when it lacks many).
 */
final class RemoteState {
    /** Above this many unknown events, one {@code /state} is cheaper than one {@code /event} each. */
    private static final int FETCH_ONE_BY_ONE = 20;

    private final RoomService rooms;
    private final RoomStore store;
    private final RemoteEventIngest ingest;
    private final RemoteRoomReader remote;

    RemoteState(RoomService rooms, RemoteEventIngest ingest, RemoteRoomReader remote) {
        this.rooms = rooms;
        this.store = rooms.store();
        this.ingest = ingest;
        this.remote = remote;
    }

    void fetchAuthEvents(String origin, String roomId, RoomVersion version, String eventId)
            throws FederationException {
        List<EncodedPdu> chain = remote.eventAuth(origin, roomId, eventId, version);
        ingest.storeOutliers(roomId, version, creator(roomId), chain);
    }

    /** The state before an event as {@code origin} reports it, every event of it (and its auth chain) stored. */
    Map<StateKey, String> stateBefore(String origin, String roomId, RoomVersion version, String eventId)
            throws FederationException {
        RemoteRoomReader.StateIds ids = remote.stateIds(origin, roomId, eventId);
        var wanted = new LinkedHashSet<String>(ids.authChain());
        wanted.addAll(ids.state());
        wanted.removeIf(id -> store.event(id).isPresent());
        var fetched = new ArrayList<EncodedPdu>();
        if (wanted.size() > FETCH_ONE_BY_ONE) {
            RemoteRoomReader.State state = remote.state(origin, roomId, eventId, version);
            fetched.addAll(state.authChain());
            fetched.addAll(state.state());
        } else {
            for (String id : wanted) {
                remote.event(origin, id, version).ifPresent(fetched::add);
            }
        }
        ingest.storeOutliers(roomId, version, creator(roomId), fetched);
        var state = new HashMap<StateKey, String>();
        for (String id : ids.state()) {
            store.event(id).filter(e -> !e.rejected()).ifPresent(stored -> {
                var pdu = rooms.pdu(stored, version);
                if (pdu.isState()) {
                    state.put(StateKey.of(pdu), id);
                }
            });
        }
        return state;
    }

    private String creator(String roomId) {
        return store.room(roomId).map(RoomStore.Room::creator).orElseThrow();
    }
}
