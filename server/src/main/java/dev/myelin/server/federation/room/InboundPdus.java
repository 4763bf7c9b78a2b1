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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;

/**
 * The PDUs of inbound transactions (spec: server-server-api "Receiving transactions", "Checks performed on receipt
 * of a PDU"). Each room's PDUs in order: an event whose auth events are unknown gets them from {@code /event_auth}; one
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
        return handleAll(origin, List.of(pdu)).getFirst();
    }

    /** A PDU of a room this server is in whose server-ACL admits the origin, before checks 1-3. */
    private record Admitted(int index, String roomId, RoomVersion version, ObjectNode pdu) {}

    /** A PDU that passed checks 1-3, in a room this server is in. */
    private record Verified(int index, String roomId, RoomVersion version, EncodedPdu event) {}

    /**
     * Checks 1-3 on every PDU first (in parallel), then the rest of each room's PDUs in order, rooms in parallel
     * (spec: "Transactions"): the PDUs of one room go to {@link RemoteEventIngest#acceptAll}, which stores the
     * messages among them together.
     */
    @Override
    public List<PduHandler.Outcome> handleAll(String origin, List<ObjectNode> pdus) {
        var outcomes = new PduHandler.Outcome[pdus.size()];
        var admitted = new ArrayList<Admitted>();
        var rooms = new HashMap<String, Optional<RoomStore.Room>>();
        for (int i = 0; i < pdus.size(); i++) {
            ObjectNode pdu = pdus.get(i);
            String roomId = pdu.path("room_id").asText("");
            Optional<RoomStore.Room> room = rooms.computeIfAbsent(roomId, store::room)
                    .filter(r -> r.currentSnapshot() != 0);
            if (room.isEmpty()) {
                outcomes[i] = PduHandler.Outcome.failed(UnknownRoomPdus.eventId(pdu), "This server is not in room "
                        + roomId);
            } else if (!acls.allows(room.get(), origin)) {
                outcomes[i] = PduHandler.Outcome.failed(UnknownRoomPdus.eventId(pdu),
                        "Server " + origin + " is denied by the server ACL of " + roomId);
            } else {
                admitted.add(new Admitted(i, roomId, RoomService.version(room.get()), pdu));
            }
        }
        var byRoom = new LinkedHashMap<String, List<Verified>>();
        for (Verified verified : verifyAll(admitted, outcomes)) {
            byRoom.computeIfAbsent(verified.roomId(), r -> new ArrayList<>()).add(verified);
        }
        // Rooms are independent of each other: each on its own (virtual) thread.
        try (var parallel = Executors.newVirtualThreadPerTaskExecutor()) {
            byRoom.forEach((roomId, verified) -> parallel.execute(() -> {
                List<RemoteEventIngest.Outcome> accepted = receiveAllSafely(origin, verified);
                for (int k = 0; k < verified.size(); k++) {
                    outcomes[verified.get(k).index()] = outcome(verified.get(k).event(), accepted.get(k));
                }
            }));
        }
        return List.of(outcomes);
    }

    /**
     * Checks 1-3 (format, signatures, content hash): the first PDU alone, which fetches its server's keys when they
     * are new to this server, then the others in parallel. Those that fail get their outcome in {@code outcomes}.
     */
    private List<Verified> verifyAll(List<Admitted> admitted, PduHandler.Outcome[] outcomes) {
        var verified = new Verified[admitted.size()];
        if (!admitted.isEmpty()) {
            verified[0] = verify(admitted.getFirst(), outcomes);
        }
        try (var parallel = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int k = 1; k < admitted.size(); k++) {
                int at = k;
                parallel.execute(() -> verified[at] = verify(admitted.get(at), outcomes));
            }
        }
        return Arrays.stream(verified).filter(Objects::nonNull).toList();
    }

    /** The PDU once checks 1-3 pass, or null with its outcome in {@code outcomes}. */
    private Verified verify(Admitted admitted, PduHandler.Outcome[] outcomes) {
        ObjectNode pdu = admitted.pdu();
        try {
            EncodedPdu event = ingest.verify(Json.MAPPER.writeValueAsBytes(pdu), admitted.version());
            if (!admitted.roomId().equals(event.pdu().roomId())) {
                outcomes[admitted.index()] = PduHandler.Outcome.failed(event.eventId(), "Event is not in room "
                        + admitted.roomId());
                return null;
            }
            return new Verified(admitted.index(), admitted.roomId(), admitted.version(), event);
        } catch (RemoteEventIngest.DroppedException | JsonProcessingException e) {
            outcomes[admitted.index()] = PduHandler.Outcome.failed(UnknownRoomPdus.eventId(pdu), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Checking a PDU failed", e);
            outcomes[admitted.index()] = PduHandler.Outcome.failed(UnknownRoomPdus.eventId(pdu),
                    "Internal error while checking this PDU");
        }
        return null;
    }

    private static PduHandler.Outcome outcome(EncodedPdu event, RemoteEventIngest.Outcome outcome) {
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

    /** {@link #receiveAll} under the room's lock; should it fail, each PDU is answered with an internal error. */
    private List<RemoteEventIngest.Outcome> receiveAllSafely(String origin, List<Verified> verified) {
        try {
            return locks.withRoom(verified.getFirst().roomId(), () -> receiveAll(origin, verified));
        } catch (RuntimeException e) {
            LOG.warn("Handling PDUs from {} in {} failed", origin, verified.getFirst().roomId(), e);
            return verified.stream().<RemoteEventIngest.Outcome>map(v ->
                    new RemoteEventIngest.Outcome.Dropped("Internal error while handling this PDU")).toList();
        }
    }

    /** One room's PDUs in order: each run accepted together, and what an event refers to fetched when missing. */
    private List<RemoteEventIngest.Outcome> receiveAll(String origin, List<Verified> verified) {
        String roomId = verified.getFirst().roomId();
        RoomVersion version = verified.getFirst().version();
        List<EncodedPdu> events = verified.stream().map(Verified::event).toList();
        var outcomes = new ArrayList<RemoteEventIngest.Outcome>(events.size());
        while (outcomes.size() < events.size()) {
            List<RemoteEventIngest.Outcome> run = ingest.acceptAll(roomId, events.subList(outcomes.size(),
                    events.size()));
            outcomes.addAll(run.subList(0, run.size() - 1));
            EncodedPdu last = events.get(outcomes.size());
            outcomes.add(completed(origin, roomId, version, last, run.getLast()));
        }
        return outcomes;
    }

    /** The outcome once what the event refers to is fetched, when it was missing. */
    private RemoteEventIngest.Outcome completed(String origin, String roomId, RoomVersion version, EncodedPdu event,
                                                RemoteEventIngest.Outcome outcome) {
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
