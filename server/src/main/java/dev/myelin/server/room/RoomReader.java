package dev.myelin.server.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.Redactor;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads rooms for clients: who may see which event (history visibility, spec: client-server-api "History
 * visibility") and the client event format.
 */
public final class RoomReader {
    private final RoomService rooms;
    private final RoomStore store;
    private final Clock clock;
    /** The nid of the event a state event replaced, 0 for none: its state before never changes. */
    private final LruCache<Long, Long> replacedNids = new LruCache<>(20_000);
    /** The transaction an event was sent with: recorded with the event, never changed. */
    private final LruCache<String, Optional<RoomStore.TxnKey>> txns = new LruCache<>(20_000);

    public RoomReader(RoomService rooms, Clock clock) {
        this.rooms = rooms;
        this.store = rooms.store();
        this.clock = clock;
    }

    /** An event with its stored facts and parsed form. */
    public record Event(StoredEvent stored, Pdu pdu) {}

    public Event load(StoredEvent stored, RoomVersion version) {
        return new Event(stored, rooms.pdu(stored, version));
    }

    /** The history visibility in the state before an event, and the user's membership then. */
    private record Visibility(String historyVisibility, String membership) {}

    /** Decides visibility for one user across many events of one room, caching per state snapshot. */
    public final class VisibilityCheck {
        private final String userId;
        private final RoomVersion version;
        private final String currentMembership;
        private final Map<Long, Visibility> bySnapshot = new HashMap<>();

        VisibilityCheck(String userId, RoomStore.Room room, String currentMembership) {
            this.userId = userId;
            this.version = RoomService.version(room);
            this.currentMembership = currentMembership;
        }

        public boolean canSee(Event event) {
            Pdu pdu = event.pdu();
            if ("m.room.member".equals(pdu.type()) && userId.equals(pdu.stateKey())) {
                return true;
            }
            Visibility visibility = bySnapshot.computeIfAbsent(event.stored().stateBefore(), this::visibilityAt);
            return switch (visibility.historyVisibility()) {
                case "world_readable" -> true;
                case "joined" -> "join".equals(visibility.membership());
                case "invited" -> "join".equals(visibility.membership()) || "invite".equals(visibility.membership());
                // "shared" and anything unknown (the spec's default is shared)
                default -> "join".equals(visibility.membership()) || "join".equals(currentMembership);
            };
        }

        private Visibility visibilityAt(long snapshot) {
            StateKey member = new StateKey("m.room.member", userId);
            Map<StateKey, Pdu> state = rooms.stateEntries(snapshot, List.of(RoomService.HISTORY_VISIBILITY, member),
                    version);
            String history = Optional.ofNullable(state.get(RoomService.HISTORY_VISIBILITY))
                    .map(e -> e.content().path("history_visibility").asText("shared"))
                    .orElse("shared");
            String membership = Optional.ofNullable(state.get(member))
                    .map(e -> e.content().path("membership").asText("leave"))
                    .orElse("leave");
            return new Visibility(history, membership);
        }
    }

    public VisibilityCheck visibility(String userId, RoomStore.Room room) {
        return new VisibilityCheck(userId, room, rooms.currentMembership(room.roomId(), userId));
    }

    /** The check for a user whose current membership of the room the caller has already read. */
    public VisibilityCheck visibility(String userId, RoomStore.Room room, String currentMembership) {
        return new VisibilityCheck(userId, room, currentMembership);
    }

    /**
     * The state snapshot a user may read: the current state for members and world-readable rooms; for a user who
     * left or was banned, the state when that happened.
     */
    public long readableSnapshot(String userId, RoomStore.Room room) {
        Optional<RoomStore.Membership> membership = store.membership(room.roomId(), userId);
        if (membership.isPresent() && "join".equals(membership.get().membership())) {
            return room.currentSnapshot();
        }
        if (worldReadable(room)) {
            return room.currentSnapshot();
        }
        if (membership.isPresent() && ("leave".equals(membership.get().membership())
                || "ban".equals(membership.get().membership()))) {
            StoredEvent left = store.event(membership.get().eventNid()).orElseThrow();
            // Only a user who was in the room sees its state as it was when they left.
            if ("join".equals(previousMembership(left, room, userId))) {
                return left.stateAfter();
            }
        }
        throw MatrixException.forbidden("You are not in this room");
    }

    private String previousMembership(StoredEvent event, RoomStore.Room room, String userId) {
        StateKey key = new StateKey("m.room.member", userId);
        StoredEvent before = store.state(event.stateBefore(), List.of(key)).get(key);
        return before == null ? "leave"
                : rooms.pdu(before, RoomService.version(room)).content().path("membership").asText("leave");
    }

    public boolean worldReadable(RoomStore.Room room) {
        StoredEvent event = store.state(room.currentSnapshot(), List.of(RoomService.HISTORY_VISIBILITY))
                .get(RoomService.HISTORY_VISIBILITY);
        return event != null && "world_readable".equals(
                rooms.pdu(event, RoomService.version(room)).content().path("history_visibility").asText());
    }

    /**
     * The client format for a viewer: the device that sent the event also gets its transaction id in
     * {@code unsigned.transaction_id} (spec: client-server-api "Transaction identifiers").
     */
    public ObjectNode clientEvent(Event event, RoomVersion version, String viewerUserId, String viewerDeviceId) {
        ObjectNode out = clientEvent(event, version);
        if (viewerDeviceId != null && viewerUserId.equals(event.pdu().sender())) {
            txns.get(event.pdu().eventId(), () -> store.txnOf(event.pdu().eventId()))
                    .filter(txn -> txn.userId().equals(viewerUserId) && txn.deviceId().equals(viewerDeviceId))
                    .ifPresent(txn -> ((ObjectNode) out.get("unsigned")).put("transaction_id", txn.txnId()));
        }
        return out;
    }

    /** The client format (spec: client-server-api "Room event format"), redacted when redacted. */
    public ObjectNode clientEvent(Event event, RoomVersion version) {
        Pdu pdu = event.pdu();
        ObjectNode source = pdu.json();
        ObjectNode unsigned = Json.MAPPER.createObjectNode();
        if (event.stored().redactedBy() != null) {
            source = Redactor.redact(source, version);
            store.event(event.stored().redactedBy()).ifPresent(redaction ->
                    unsigned.set("redacted_because", clientEvent(load(redaction, version), version)));
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("content", source.path("content").isObject() ? source.get("content") : Json.MAPPER.createObjectNode());
        out.put("event_id", pdu.eventId());
        out.put("origin_server_ts", pdu.originServerTs());
        out.put("room_id", pdu.roomId());
        out.put("sender", pdu.sender());
        if (pdu.isState()) {
            out.put("state_key", pdu.stateKey());
        }
        out.put("type", pdu.type());
        JsonNode redacts = source.get("redacts");
        if (redacts != null && redacts.isTextual()) {
            out.set("redacts", redacts);
        } else if ("m.room.redaction".equals(pdu.type()) && pdu.redacts() != null) {
            out.put("redacts", pdu.redacts());
        }
        if (pdu.isState() && event.stored().stateBefore() != 0) {
            // What the event replaced, so clients can tell a rename from a join (Synapse: prev_content etc.).
            StoredEvent replaced = replacedBy(event);
            if (replaced != null) {
                Pdu previous = rooms.pdu(replaced, version);
                ObjectNode previousContent = replaced.redactedBy() != null
                        ? (ObjectNode) Redactor.redact(previous.json(), version).get("content")
                        : previous.content();
                unsigned.set("prev_content", previousContent);
                unsigned.put("prev_sender", previous.sender());
                unsigned.put("replaces_state", previous.eventId());
            }
        }
        unsigned.put("age", Math.max(0, clock.millis() - pdu.originServerTs()));
        out.set("unsigned", unsigned);
        return out;
    }

    /** The state event that {@code event} replaced, as stored now (it may have been redacted since), or null. */
    private StoredEvent replacedBy(Event event) {
        long nid = replacedNids.get(event.stored().nid(), () -> {
            StateKey key = StateKey.of(event.pdu());
            StoredEvent replaced = store.state(event.stored().stateBefore(), List.of(key)).get(key);
            return replaced == null ? 0L : replaced.nid();
        });
        return nid == 0 ? null : store.event(nid).orElse(null);
    }
}
