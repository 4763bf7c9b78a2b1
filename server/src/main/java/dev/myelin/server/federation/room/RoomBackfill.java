package dev.myelin.server.federation.room;

import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.room.RemoteEventIngest;
import dev.myelin.server.room.RemoteHistory;
import dev.myelin.server.room.RoomLocks;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.RoomVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Backfill as the server that joined late (spec: server-server-api "Backfilling and retrieving missing events"): asks
 * the other servers of the room, in turn, for the events before its backward extremities ({@code GET /backfill}),
 * and stores each as history (below every stored event, see {@link RoomStore#persistBackfilled}) after the checks on
 * receipt, oldest first: signatures and hashes, then authorization by its auth events (fetched with
 * {@code /event_auth} when unknown) and by the state before it, computed from its prev_events, or for the oldest of
 * a batch asked of the server ({@code /state_ids}). History visibility is applied when clients read it.
 */
final class RoomBackfill implements RemoteHistory {
    private static final Logger LOG = LoggerFactory.getLogger(RoomBackfill.class);
    /** The most events asked for at once (Synapse asks for 100). */
    private static final int MAX_LIMIT = 100;

    private final RoomService rooms;
    private final RoomStore store;
    private final RemoteEventIngest ingest;
    private final RemoteRoomReader remote;
    private final RemoteState state;
    private final ServerAccess access;
    /** One backfill per room at a time: a second client paginating waits and then finds the events stored. */
    private final RoomLocks locks = new RoomLocks(16);

    RoomBackfill(RoomService rooms, RemoteEventIngest ingest, RemoteRoomReader remote, ServerAccess access) {
        this.rooms = rooms;
        this.store = rooms.store();
        this.ingest = ingest;
        this.remote = remote;
        this.state = new RemoteState(rooms, ingest, remote);
        this.access = access;
    }

    @Override
    public int backfill(String roomId, int limit) {
        return locks.withRoom(roomId, () -> backfillLocked(roomId, Math.clamp(limit, 1, MAX_LIMIT)));
    }

    private int backfillLocked(String roomId, int limit) {
        Optional<RoomStore.Room> room = store.room(roomId).filter(r -> r.currentSnapshot() != 0);
        if (room.isEmpty()) {
            return 0;
        }
        List<String> extremities = store.backwardExtremities(room.get().nid());
        if (extremities.isEmpty()) {
            return 0;
        }
        RoomVersion version = RoomService.version(room.get());
        for (String server : access.serversIn(roomId)) {
            if (server.equals(rooms.serverName())) {
                continue;
            }
            try {
                List<EncodedPdu> events = remote.backfill(server, roomId, extremities, limit, version);
                int stored = store(server, roomId, version, events);
                if (stored > 0) {
                    return stored;
                }
            } catch (FederationException e) {
                LOG.info("Backfilling {} from {} failed: {}", roomId, server, e.getMessage());
            }
        }
        return 0;
    }

    /** Stores the events oldest first, at positions that keep them in order below everything stored so far. */
    private int store(String server, String roomId, RoomVersion version, List<EncodedPdu> events) {
        Map<String, EncodedPdu> fresh = new LinkedHashMap<>();
        for (EncodedPdu event : events) {
            if (store.event(event.eventId()).filter(e -> !e.outlier()).isEmpty()) {
                fresh.putIfAbsent(event.eventId(), event);
            }
        }
        if (fresh.isEmpty()) {
            return 0;
        }
        long position = store.reserveBackfillPositions(fresh.size()) - fresh.size() + 1;
        int stored = 0;
        for (EncodedPdu event : fresh.values()) {
            RemoteEventIngest.Outcome outcome;
            try {
                outcome = accept(server, roomId, version, event, position++);
            } catch (FederationException e) {
                LOG.info("Backfilled event {}: could not get what it refers to from {}: {}", event.eventId(), server,
                        e.getMessage());
                continue;
            }
            switch (outcome) {
                case RemoteEventIngest.Outcome.Accepted _ -> stored++;
                case RemoteEventIngest.Outcome.Rejected rejected ->
                        LOG.info("Backfilled event {} from {} rejected: {}", event.eventId(), server, rejected.reason());
                default -> LOG.debug("Backfilled event {} from {}: {}", event.eventId(), server, outcome);
            }
        }
        return stored;
    }

    private RemoteEventIngest.Outcome accept(String server, String roomId, RoomVersion version, EncodedPdu event,
                                             long position) throws FederationException {
        RemoteEventIngest.Outcome outcome = ingest.acceptBackfilled(roomId, event, Optional.empty(), position);
        if (outcome instanceof RemoteEventIngest.Outcome.Missing missing && !missing.authEvents().isEmpty()) {
            state.fetchAuthEvents(server, roomId, version, event.eventId());
            outcome = ingest.acceptBackfilled(roomId, event, Optional.empty(), position);
        }
        if (outcome instanceof RemoteEventIngest.Outcome.Missing missing && missing.authEvents().isEmpty()) {
            outcome = ingest.acceptBackfilled(roomId, event,
                    Optional.of(state.stateBefore(server, roomId, version, event.eventId())), position);
        }
        return outcome;
    }
}
