package dev.myelin.server.federation.room;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.acl.ServerAcls;
import dev.myelin.server.federation.inbound.PduHandler;
import dev.myelin.server.federation.inbound.UnknownRoomPdus;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.Json;
import dev.myelin.server.room.RemoteEventIngest;
import dev.myelin.server.room.RoomLocks;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.RoomVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;

/**
 * The PDUs of inbound transactions (spec: server-server-api "Receiving transactions", "Checks performed on receipt
 * of a PDU"). One room at a time: an event whose auth events are unknown gets them from {@code /event_auth}; one
 * whose prev_events are unknown gets the gap from {@code /get_missing_events} (limit 10), and when the gap is larger,
 * the state before the event from {@code /state_ids} and {@code /event} (spec: "If the gap is too large..."). A PDU
 * whose room's server ACL denies the origin is ignored with an error (spec: "Server Access Control Lists (ACLs)").
 */
final class InboundPdus implements PduHandler {
    private static final Logger LOG = LoggerFactory.getLogger(InboundPdus.class);
    private static final int MISSING_EVENTS_LIMIT = 10;

    private final RoomStore store;
    private final RemoteEventIngest ingest;
    private final RemoteRoomReader remote;
    private final RemoteState state;
    private final ServerAcls acls;
    private final RoomLocks locks = new RoomLocks(64);

    InboundPdus(RoomService rooms, RemoteEventIngest ingest, RemoteRoomReader remote, ServerAcls acls) {
        this.store = rooms.store();
        this.ingest = ingest;
        this.remote = remote;
        this.acls = acls;
        this.state = new RemoteState(rooms, ingest, remote);
    }

    @Override
    public PduHandler.Outcome handle(String origin, ObjectNode pdu) {
        String roomId = pdu.path("room_id").asText("");
        Optional<RoomStore.Room> room = store.room(roomId).filter(r -> r.currentSnapshot() != 0);
        if (room.isEmpty()) {
            return PduHandler.Outcome.failed(UnknownRoomPdus.eventId(pdu), "This server is not in room " + roomId);
        }
        if (!acls.allows(roomId, origin)) {
            return PduHandler.Outcome.failed(UnknownRoomPdus.eventId(pdu),
                    "Server " + origin + " is denied by the server ACL of " + roomId);
        }
        RoomVersion version = RoomService.version(room.get());
        EncodedPdu event;
        try {
            event = ingest.verify(Json.MAPPER.writeValueAsBytes(pdu), version);
        } catch (RemoteEventIngest.DroppedException | JsonProcessingException e) {
            return PduHandler.Outcome.failed(UnknownRoomPdus.eventId(pdu), e.getMessage());
        }
        if (!roomId.equals(event.pdu().roomId())) {
            return PduHandler.Outcome.failed(event.eventId(), "Event is not in room " + roomId);
        }
        RemoteEventIngest.Outcome outcome = locks.withRoom(roomId, () -> receive(origin, roomId, version, event));
        return switch (outcome) {
            case RemoteEventIngest.Outcome.Accepted _, RemoteEventIngest.Outcome.Duplicate _ ->
                    PduHandler.Outcome.accepted(event.eventId());
            case RemoteEventIngest.Outcome.Rejected rejected ->
                    PduHandler.Outcome.failed(event.eventId(), rejected.reason());
            case RemoteEventIngest.Outcome.Dropped dropped ->
                    PduHandler.Outcome.failed(event.eventId(), dropped.reason());
            case RemoteEventIngest.Outcome.Missing missing -> PduHandler.Outcome.failed(event.eventId(),
                    "Could not get events it refers to: " + missing.prevEvents() + " " + missing.authEvents());
        };
    }

    private RemoteEventIngest.Outcome receive(String origin, String roomId, RoomVersion version, EncodedPdu event) {
        RemoteEventIngest.Outcome outcome = ingest.accept(roomId, event, Optional.empty());
        if (!(outcome instanceof RemoteEventIngest.Outcome.Missing missing)) {
            return outcome;
        }
        try {
            if (!missing.authEvents().isEmpty()) {
                state.fetchAuthEvents(origin, roomId, version, event.eventId());
            }
            if (!missing.prevEvents().isEmpty()) {
                fillGap(origin, roomId, version, event);
            }
            outcome = ingest.accept(roomId, event, Optional.empty());
            if (outcome instanceof RemoteEventIngest.Outcome.Missing stillMissing
                    && stillMissing.authEvents().isEmpty()) {
                return ingest.accept(roomId, event, Optional.of(state.stateBefore(origin, roomId, version,
                        event.eventId())));
            }
            return outcome;
        } catch (FederationException e) {
            LOG.info("Could not fetch what {} refers to from {}: {}", event.eventId(), origin, e.getMessage());
            return outcome;
        }
    }

    /** Gets the events between this server's extremities and the event, and accepts them oldest first. */
    private void fillGap(String origin, String roomId, RoomVersion version, EncodedPdu event)
            throws FederationException {
        RoomStore.Room room = store.room(roomId).orElseThrow();
        List<String> extremities = store.forwardExtremities(room.nid());
        List<EncodedPdu> gap = remote.missingEvents(origin, roomId, extremities, List.of(event.eventId()),
                MISSING_EVENTS_LIMIT, 0, version);
        for (EncodedPdu missing : gap) {
            RemoteEventIngest.Outcome outcome = ingest.accept(roomId, missing, Optional.empty());
            if (outcome instanceof RemoteEventIngest.Outcome.Missing stillMissing) {
                if (!stillMissing.authEvents().isEmpty()) {
                    state.fetchAuthEvents(origin, roomId, version, missing.eventId());
                }
                outcome = ingest.accept(roomId, missing, Optional.empty());
                if (outcome instanceof RemoteEventIngest.Outcome.Missing) {
                    ingest.accept(roomId, missing, Optional.of(state.stateBefore(origin, roomId, version,
                            missing.eventId())));
                }
            }
        }
    }
}
