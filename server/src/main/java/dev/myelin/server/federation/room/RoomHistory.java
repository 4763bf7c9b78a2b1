package dev.myelin.server.federation.room;

import dev.myelin.server.http.MatrixException;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.room.StoredEventLookup;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.auth.AuthChain;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * What a server in a room may read of its DAG (spec: server-server-api "Retrieving events", "Backfilling and
 * retrieving missing events", "Room State"): single events, the state at an event with its auth chain, an event's
 * auth chain, backfill and missing events walking prev_events back, and the event nearest a timestamp.
 */
final class RoomHistory {
    private final RoomService rooms;
    private final RoomStore store;
    private final ServerAccess access;

    RoomHistory(RoomService rooms, ServerAccess access) {
        this.rooms = rooms;
        this.store = rooms.store();
        this.access = access;
    }

    /** An event of a room {@code origin} is in and may see; 404 otherwise (not telling what exists). */
    StoredEvent event(String eventId, String origin) {
        StoredEvent event = store.event(eventId).orElseThrow(() -> MatrixException.notFound("Unknown event"));
        RoomStore.Room room = roomOf(event);
        access.requireInRoom(room.roomId(), origin);
        if (!access.maySee(room, event, origin)) {
            throw MatrixException.forbidden("The event is not visible to " + origin);
        }
        return event;
    }

    private RoomStore.Room roomOf(StoredEvent event) {
        var json = ResidentMemberships.json(event);
        // A v12 create event has no room_id: its room id is its event id's.
        String roomId = json.path("room_id").asText("!" + event.eventId().substring(1));
        return store.room(roomId).filter(room -> room.nid() == event.roomNid())
                .orElseThrow(() -> MatrixException.notFound("Unknown event"));
    }

    /** An event of the named room, which must be in the DAG (not an outlier) to have a state. */
    StoredEvent eventIn(RoomStore.Room room, String eventId, String origin) {
        StoredEvent event = store.event(eventId).filter(e -> e.roomNid() == room.nid())
                .orElseThrow(() -> MatrixException.notFound("Unknown event " + eventId));
        if (!access.maySee(room, event, origin)) {
            throw MatrixException.forbidden("The event is not visible to " + origin);
        }
        return event;
    }

    /** The state before an event (spec: "prior to considering any state changes induced by the event"). */
    List<StoredEvent> stateBefore(RoomStore.Room room, StoredEvent event) {
        if (event.outlier()) {
            throw MatrixException.notFound("The state at " + event.eventId() + " is not known here");
        }
        return List.copyOf(store.state(event.stateBefore()).values());
    }

    /** The union of the auth chains of the events. */
    List<StoredEvent> authChain(RoomStore.Room room, List<String> eventIds) {
        RoomVersion version = RoomService.version(room);
        Set<String> chain = new LinkedHashSet<>(AuthChain.of(eventIds, new StoredEventLookup(rooms, version)));
        if (version.authorization().roomIdFromCreateEvent()) {
            chain.add("$" + room.roomId().substring(1));
        }
        return chain.stream().map(store::event).flatMap(Optional::stream).toList();
    }

    /**
     * Up to {@code limit} events from {@code from} (included) back through prev_events, deepest first, skipping
     * what {@code origin} may not see.
     */
    List<StoredEvent> backfill(RoomStore.Room room, List<String> from, int limit, String origin) {
        var queue = new PriorityQueue<StoredEvent>(Comparator.comparingLong(StoredEvent::depth).reversed());
        var seen = new HashSet<String>();
        for (String id : from) {
            store.event(id).filter(e -> e.roomNid() == room.nid() && seen.add(id)).ifPresent(queue::add);
        }
        var result = new ArrayList<StoredEvent>();
        while (!queue.isEmpty() && result.size() < limit) {
            StoredEvent event = queue.poll();
            if (access.maySee(room, event, origin)) {
                result.add(event);
            }
            for (String prev : rooms.pdu(event, RoomService.version(room)).prevEvents()) {
                if (seen.add(prev)) {
                    store.event(prev).filter(e -> e.roomNid() == room.nid()).ifPresent(queue::add);
                }
            }
        }
        return result;
    }

    /**
     * The events between {@code earliest} and {@code latest} (spec: POST /get_missing_events): walking back from the
     * prev_events of {@code latest}, stopping at {@code earliest} and at {@code minDepth}, oldest first.
     */
    List<StoredEvent> missing(RoomStore.Room room, List<String> earliest, List<String> latest, int limit,
                              long minDepth, String origin) {
        var seen = new HashSet<String>(earliest);
        seen.addAll(latest);
        var pending = new ArrayDeque<String>();
        for (String id : latest) {
            store.event(id).filter(e -> e.roomNid() == room.nid())
                    .ifPresent(e -> pending.addAll(rooms.pdu(e, RoomService.version(room)).prevEvents()));
        }
        var found = new ArrayList<StoredEvent>();
        while (!pending.isEmpty() && found.size() < limit) {
            String id = pending.poll();
            if (!seen.add(id)) {
                continue;
            }
            Optional<StoredEvent> event = store.event(id).filter(e -> e.roomNid() == room.nid() && !e.outlier());
            if (event.isEmpty() || event.get().depth() < minDepth) {
                continue;
            }
            if (access.maySee(room, event.get(), origin)) {
                found.add(event.get());
            }
            pending.addAll(rooms.pdu(event.get(), RoomService.version(room)).prevEvents());
        }
        found.sort(Comparator.comparingLong(StoredEvent::depth));
        return found;
    }

    private static final List<dev.myelin.spec.event.StateKey> STRIPPED = List.of(
            new dev.myelin.spec.event.StateKey("m.room.create", ""),
            new dev.myelin.spec.event.StateKey("m.room.join_rules", ""),
            new dev.myelin.spec.event.StateKey("m.room.name", ""),
            new dev.myelin.spec.event.StateKey("m.room.avatar", ""),
            new dev.myelin.spec.event.StateKey("m.room.topic", ""),
            new dev.myelin.spec.event.StateKey("m.room.canonical_alias", ""),
            new dev.myelin.spec.event.StateKey("m.room.encryption", ""));

    /** The stripped state a knocking or invited user is shown (spec: client-server-api "Stripped state"). */
    List<StoredEvent> strippedState(String roomId, StoredEvent membership) {
        var events = new ArrayList<>(store.state(membership.stateAfterOrBefore(), STRIPPED).values());
        events.add(membership);
        return events;
    }

    /** The visible event closest to {@code ts} in the direction given (spec: GET /timestamp_to_event). */
    Optional<Pdu> closestTo(RoomStore.Room room, long ts, boolean forwards, String origin) {
        Pdu best = null;
        long from = Long.MAX_VALUE;
        while (true) {
            List<StoredEvent> page = store.timeline(room.nid(), from, 0, true, 500);
            for (StoredEvent event : page) {
                Pdu pdu = rooms.pdu(event, RoomService.version(room));
                long eventTs = pdu.originServerTs();
                boolean onSide = forwards ? eventTs >= ts : eventTs <= ts;
                if (onSide && access.maySee(room, event, origin) && (best == null
                        || Math.abs(eventTs - ts) < Math.abs(best.originServerTs() - ts))) {
                    best = pdu;
                }
            }
            if (page.size() < 500) {
                return Optional.ofNullable(best);
            }
            from = page.getLast().streamPos() - 1;
        }
    }
}
