package dev.myelin.server.room;

import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.CurrentState;
import dev.myelin.server.storage.RoomStore.StateBefore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.auth.AuthEventSelector;
import dev.myelin.spec.auth.AuthorizationException;
import dev.myelin.spec.auth.StateResolver;
import dev.myelin.spec.crypto.EventHashes;
import dev.myelin.spec.crypto.ReceivedEventVerifier;
import dev.myelin.spec.crypto.VerifyKeyLookup;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.MalformedPduException;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.PduParser;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;
import dev.myelin.spec.json.InvalidJsonException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Accepts events from other servers into rooms this server is in, with the spec's checks on receipt in order
 * (server-server-api "Checks performed on receipt of a PDU"): (1) format, (2) signatures, (3) content hash (a
 * mismatch keeps the redacted form), (4) authorization by the event's auth events, (5) by the state before it
 * (resolved over its prev_events when they are several), both of which reject it, and (6) by the current state,
 * which soft-fails it. Accepted events move the forward extremities, and the current state is resolved again when
 * forks meet.
 *
 * <p>Fetching what is missing (prev_events, auth events, the state at a gap) is the caller's job: {@link #accept}
 * answers {@link Outcome.Missing} and the caller fetches and retries, or supplies the state before the event.
 */
public final class RemoteEventIngest {
    private final RoomService rooms;
    private final RoomStore store;
    private final VerifyKeyLookup keys;
    private final StateResolver resolver;

    public RemoteEventIngest(RoomService rooms, VerifyKeyLookup keys) {
        this.rooms = rooms;
        this.store = rooms.store();
        this.keys = keys;
        this.resolver = new StateResolver(rooms.authorizer());
    }

    /** What became of a received event. */
    public sealed interface Outcome {
        /** Stored in the DAG; a soft-failed event is stored but neither an extremity nor shown to clients. */
        record Accepted(String eventId, boolean softFailed) implements Outcome {}

        /** Stored as rejected: it failed authorization (checks 4 or 5). */
        record Rejected(String eventId, String reason) implements Outcome {}

        /** Already in the room's DAG. */
        record Duplicate(String eventId) implements Outcome {}

        /** Not stored: malformed, badly signed, or for another room (checks 1 and 2). */
        record Dropped(String reason) implements Outcome {}

        /** Events the checks need that this server does not have. */
        record Missing(String eventId, List<String> prevEvents, List<String> authEvents) implements Outcome {}
    }

    /** The result of checks 1-3: the event to keep (possibly redacted), or why it is dropped. */
    public static final class DroppedException extends Exception {
        public DroppedException(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * Checks 1-3 on an event's JSON: parses it for the room version, checks its signatures and content hash, and
     * returns the form to keep (the redacted one when the hash does not match).
     */
    public EncodedPdu verify(byte[] json, RoomVersion version) throws DroppedException {
        EncodedPdu parsed;
        try {
            parsed = PduParser.parse(json, version);
        } catch (MalformedPduException e) {
            throw new DroppedException("malformed event: " + e.getMessage());
        }
        return switch (ReceivedEventVerifier.verify(parsed.pdu().json(), version, keys)) {
            case ReceivedEventVerifier.Outcome.Verified _ -> parsed;
            case ReceivedEventVerifier.Outcome.Rejected rejected -> throw new DroppedException(rejected.reason());
            case ReceivedEventVerifier.Outcome.Redacted redacted -> {
                try {
                    byte[] bytes = EventHashes.encoding(version).encode(redacted.redactedEvent());
                    yield PduParser.parseStored(bytes, version, parsed.eventId());
                } catch (InvalidJsonException e) {
                    throw new DroppedException("redacted event cannot be encoded: " + e.getMessage());
                }
            }
        };
    }

    /** Checks and accepts an event received for a room this server is in (checks 1-6). */
    public Outcome receive(String roomId, byte[] json) {
        Optional<RoomStore.Room> room = store.room(roomId);
        if (room.isEmpty()) {
            return new Outcome.Dropped("unknown room " + roomId);
        }
        EncodedPdu event;
        try {
            event = verify(json, RoomService.version(room.get()));
        } catch (DroppedException e) {
            return new Outcome.Dropped(e.getMessage());
        }
        if (!roomId.equals(event.pdu().roomId())) {
            return new Outcome.Dropped("event " + event.eventId() + " is not in room " + roomId);
        }
        return accept(roomId, event, Optional.empty());
    }

    /**
     * Checks 4-6 on an event that passed {@link #verify}, and stores it. The state before it is worked out from its
     * prev_events, unless {@code stateBefore} (event ids) is given for an event whose prev_events this server could
     * not get (a gap; spec: "If the gap is too large ... /state_ids").
     */
    public Outcome accept(String roomId, EncodedPdu event, Optional<Map<StateKey, String>> stateBefore) {
        return rooms.withRoomLock(roomId, () -> acceptLocked(roomId, event, stateBefore, null));
    }

    /**
     * Checks 4 and 5 on a backfilled event that passed {@link #verify}, and stores it as history at {@code streamPos}
     * (see {@link RoomStore#persistBackfilled}): check 6 is left out, as the current state says nothing of the past,
     * and clients are not told, as the event is not new.
     */
    public Outcome acceptBackfilled(String roomId, EncodedPdu event, Optional<Map<StateKey, String>> stateBefore,
                                    long streamPos) {
        return rooms.withRoomLock(roomId, () -> acceptLocked(roomId, event, stateBefore, streamPos));
    }

    /** What the checks decided: an outcome already (duplicate, missing), or an event to store. */
    private sealed interface Decision {
        record Decided(Outcome outcome) implements Decision {}

        /**
         * @param keepsState the event leaves the room's state as it was: accepted, not a state event, on the
         *                   current state and extending the room (see {@link PendingEvents})
         */
        record Store(RoomStore.ReceivedEvent received, CurrentState current, String reason, boolean keepsState)
                implements Decision {}
    }

    /**
     * Checks 4-6 on events of one room that passed {@link #verify}, in order, as {@link #accept} would one by one,
     * and stores each run of events that leave the room's state as it was (the messages of an inbound transaction)
     * in one write, telling clients once. Stops after the first event whose prev_events or auth events are missing,
     * so the caller can fetch them: the outcomes returned are those of the events up to it.
     */
    public List<Outcome> acceptAll(String roomId, List<EncodedPdu> events) {
        return rooms.withRoomLock(roomId, () -> {
            var outcomes = new ArrayList<Outcome>(events.size());
            while (outcomes.size() < events.size()) {
                List<EncodedPdu> rest = events.subList(outcomes.size(), events.size());
                Run run = store.readingTogether(() -> checkRun(roomId, rest));
                if (run.outcomes().isEmpty()) {
                    // The first event changes the state or needs more: stored on its own, as accept does, on the
                    // checks just made (nothing was pending before it).
                    Outcome outcome = apply(roomId, rest.getFirst(), run.stoppedAt(), null);
                    outcomes.add(outcome);
                    if (outcome instanceof Outcome.Missing) {
                        break;
                    }
                    continue;
                }
                PendingEvents pending = run.pending();
                if (!pending.isEmpty()) {
                    store.persistReceived(roomId, pending.toStore()).ifPresent(persisted ->
                            rooms.announce(persisted, pending.toStore().stream()
                                    .map(received -> received.event().event().pdu()).toList(), false));
                }
                outcomes.addAll(run.outcomes());
            }
            return outcomes;
        });
    }

    /**
     * The events of a run, from the first: their outcomes (known already, or pending), the pending events to store,
     * and the decision on the event that ended the run (null when every event is in it).
     */
    private record Run(List<Outcome> outcomes, PendingEvents pending, Decision stoppedAt) {}

    private Run checkRun(String roomId, List<EncodedPdu> events) {
        var outcomes = new ArrayList<Outcome>();
        // The room is read once: the events of a run leave its state and current snapshot as they were.
        RoomStore.Room room = rooms.requireRoom(roomId);
        var pending = new PendingEvents(store, room.nid());
        for (EncodedPdu event : events) {
            Decision decision = check(room, event, Optional.empty(), null, pending);
            if (decision instanceof Decision.Decided(Outcome.Duplicate duplicate)) {
                outcomes.add(duplicate);
                continue;
            }
            if (!(decision instanceof Decision.Store toStore) || !toStore.keepsState()) {
                return new Run(outcomes, pending, decision);
            }
            long snapshot = ((StateBefore.Snapshot) toStore.received().stateBefore()).nid();
            pending.add(event, snapshot, new RoomStore.ReceivedInOrder(toStore.received(), toStore.current()));
            outcomes.add(new Outcome.Accepted(event.eventId(), false));
        }
        return new Run(outcomes, pending, null);
    }

    private Outcome acceptLocked(String roomId, EncodedPdu encoded, Optional<Map<StateKey, String>> givenState,
                                 Long backfillPos) {
        // Every read of the checks shares one read transaction (on SQLite one trip to a reader thread); the write
        // follows, still under the room's lock.
        Decision decision = store.readingTogether(() -> {
            RoomStore.Room room = rooms.requireRoom(roomId);
            return check(room, encoded, givenState, backfillPos, new PendingEvents(store, room.nid()));
        });
        return apply(roomId, encoded, decision, backfillPos);
    }

    /** Stores what the checks decided, and tells clients of an accepted new event. */
    private Outcome apply(String roomId, EncodedPdu encoded, Decision decision, Long backfillPos) {
        if (!(decision instanceof Decision.Store(RoomStore.ReceivedEvent received, CurrentState current,
                String reason, boolean _))) {
            return ((Decision.Decided) decision).outcome();
        }
        String eventId = encoded.eventId();
        Optional<RoomStore.Persisted> persisted = backfillPos != null
                ? store.persistBackfilled(roomId, received, backfillPos)
                : store.persistReceived(roomId, received, current);
        if (persisted.isEmpty()) {
            return new Outcome.Duplicate(eventId);
        }
        if (received.rejected()) {
            return new Outcome.Rejected(eventId, reason);
        }
        if (!received.softFailed() && backfillPos == null) {
            rooms.announce(persisted.get(), List.of(encoded.pdu()), false);
        }
        return new Outcome.Accepted(eventId, received.softFailed());
    }

    /** Checks 4-6 (reads only), and what to store; {@code pending} events count as stored. */
    private Decision check(RoomStore.Room room, EncodedPdu encoded, Optional<Map<StateKey, String>> givenState,
                           Long backfillPos, PendingEvents pending) {
        RoomVersion version = RoomService.version(room);
        Pdu event = encoded.pdu();
        EventReads reads = pending.reads();
        Optional<StoredEvent> known = reads.event(event.eventId());
        if (pending.contains(event.eventId()) || known.isPresent() && !known.get().outlier()) {
            return new Decision.Decided(new Outcome.Duplicate(event.eventId()));
        }
        // The event itself is looked up too: it is in the state after it, which state resolution reads.
        StoredEventLookup lookup = new StoredEventLookup(rooms, version,
                id -> id.equals(event.eventId()) ? encoded : pending.event(id), reads::event);
        var missingAuth = new ArrayList<String>();
        for (String id : event.authEvents()) {
            if (!pending.contains(id) && reads.event(id).isEmpty()) {
                missingAuth.add(id);
            }
        }
        // The snapshot of the state after each prev event (before it, for a message).
        var prevs = new ArrayList<Long>();
        var missingPrev = new ArrayList<String>();
        for (String id : event.prevEvents()) {
            Long pendingSnapshot = pending.snapshotOf(id);
            Optional<Long> prev = pendingSnapshot != null ? Optional.of(pendingSnapshot) : reads.event(id)
                    .filter(p -> p.roomNid() == room.nid() && !p.outlier()).map(StoredEvent::stateAfterOrBefore);
            prev.ifPresentOrElse(prevs::add, () -> missingPrev.add(id));
        }
        if (!missingAuth.isEmpty() || (!missingPrev.isEmpty() && givenState.isEmpty())) {
            return new Decision.Decided(new Outcome.Missing(event.eventId(),
                    givenState.isPresent() ? List.of() : missingPrev, missingAuth));
        }
        // The state before the event.
        StateBefore stateBefore;
        Map<StateKey, String> stateBeforeIds = null;
        if (givenState.isPresent()) {
            stateBeforeIds = givenState.get();
            stateBefore = new StateBefore.Computed(room.currentSnapshot(), stateBeforeIds);
        } else if (prevs.isEmpty()) {
            // The create event, reached by backfill: nothing is before it.
            stateBeforeIds = Map.of();
            stateBefore = new StateBefore.Computed(0, stateBeforeIds);
        } else {
            var snapshots = new LinkedHashSet<Long>(prevs);
            if (snapshots.size() == 1) {
                stateBefore = new StateBefore.Snapshot(snapshots.getFirst());
            } else {
                stateBeforeIds = resolve(version, snapshots, lookup);
                stateBefore = new StateBefore.Computed(snapshots.getFirst(), stateBeforeIds);
            }
        }
        List<StateKey> needed = neededState(event);
        boolean rejected = false;
        String reason = null;
        try {
            rooms.authorizer().authorizeByAuthEvents(event, lookup);
            Map<StateKey, Pdu> state = stateAt(stateBefore, stateBeforeIds, needed, version);
            if (room.partialState()) {
                addMissingAuthEvents(state, event, lookup);
            }
            rooms.authorizer().authorize(event, state);
        } catch (AuthorizationException e) {
            rejected = true;
            reason = e.getMessage();
        }
        boolean softFailed = false;
        boolean sameAsCurrent = stateBefore instanceof StateBefore.Snapshot(long nid) && nid == room.currentSnapshot();
        // A room being joined has no current state yet: its first event is the join, checked against the state given.
        // In a room joined with partial state the current state lacks members: no soft failing (as Synapse does).
        if (!rejected && !sameAsCurrent && room.currentSnapshot() != 0 && backfillPos == null && !room.partialState()) {
            try {
                rooms.authorizer().authorize(event, rooms.stateEntries(room.currentSnapshot(), needed, version));
            } catch (AuthorizationException e) {
                softFailed = true;
            }
        }
        var received = new RoomStore.ReceivedEvent(encoded, stateBefore, rejected, softFailed);
        CurrentState current = rejected || softFailed || backfillPos != null ? new CurrentState.Unchanged()
                : currentAfter(room, event, stateBefore, stateBeforeIds, lookup, pending);
        boolean keepsState = !rejected && !softFailed && sameAsCurrent && !event.isState() && backfillPos == null
                && !(current instanceof CurrentState.Resolved);
        return new Decision.Store(received, current, reason, keepsState);
    }

    /** The state an event's authorization reads: its auth event selection and the create event. */
    private static List<StateKey> neededState(Pdu event) {
        Set<StateKey> needed = new LinkedHashSet<>(AuthEventSelector.select(event));
        needed.add(RoomService.CREATE);
        return List.copyOf(needed);
    }

    /**
     * The room's current state once the event is an extremity: the state after it when it extends every
     * extremity, else the resolution of the states after each new extremity.
     */
    private CurrentState currentAfter(RoomStore.Room room, Pdu event, StateBefore stateBefore,
                                      Map<StateKey, String> stateBeforeIds, StoredEventLookup lookup,
                                      PendingEvents pending) {
        var extremities = new LinkedHashSet<>(pending.extremities());
        event.prevEvents().forEach(extremities::remove);
        if (extremities.isEmpty()) {
            return new CurrentState.AfterEvent();
        }
        if (!event.isState() && stateBefore instanceof StateBefore.Snapshot(long nid) && nid == room.currentSnapshot()) {
            return new CurrentState.Unchanged();
        }
        var snapshots = new LinkedHashSet<Long>();
        for (String id : extremities) {
            Long pendingSnapshot = pending.snapshotOf(id);
            if (pendingSnapshot != null) {
                snapshots.add(pendingSnapshot);
            } else {
                pending.reads().event(id).ifPresent(stored -> snapshots.add(stored.stateAfterOrBefore()));
            }
        }
        var sets = new ArrayList<Map<StateKey, String>>();
        for (long snapshot : snapshots) {
            sets.add(ids(store.state(snapshot)));
        }
        Map<StateKey, String> after = new HashMap<>(stateBeforeIds != null ? stateBeforeIds
                : ids(store.state(((StateBefore.Snapshot) stateBefore).nid())));
        if (event.isState()) {
            after.put(StateKey.of(event), event.eventId());
        }
        sets.add(after);
        return new CurrentState.Resolved(resolver.resolve(RoomService.version(room), sets, lookup));
    }

    private Map<StateKey, String> resolve(RoomVersion version, Set<Long> snapshots, StoredEventLookup lookup) {
        var sets = new ArrayList<Map<StateKey, String>>();
        for (long snapshot : snapshots) {
            sets.add(ids(store.state(snapshot)));
        }
        return resolver.resolve(version, sets, lookup);
    }

    private Map<StateKey, Pdu> stateAt(StateBefore stateBefore, Map<StateKey, String> ids, List<StateKey> keys,
                                       RoomVersion version) {
        if (stateBefore instanceof StateBefore.Snapshot(long nid)) {
            // A mutable copy: a room with partial state adds the event's own auth events to it.
            return new HashMap<>(rooms.stateEntries(nid, keys, version));
        }
        var state = new HashMap<StateKey, Pdu>();
        for (StateKey key : keys) {
            String id = ids.get(key);
            Optional<StoredEvent> stored = id == null ? Optional.empty() : store.event(id);
            stored.ifPresent(e -> state.put(key, rooms.pdu(e, version)));
        }
        return state;
    }

    /**
     * Check 5 in a room joined with partial state (MSC3706; Synapse "faster joins"): the partial state before the
     * event lacks most members, so the event's own auth events (which passed check 4) stand in for what it lacks.
     * The resync of the full state corrects the room's state afterwards.
     */
    private static void addMissingAuthEvents(Map<StateKey, Pdu> state, Pdu event, StoredEventLookup lookup) {
        for (String id : event.authEvents()) {
            Pdu auth = lookup.get(id);
            if (auth != null && auth.isState()) {
                state.putIfAbsent(StateKey.of(auth), auth);
            }
        }
    }

    private Map<StateKey, Pdu> pdus(Map<StateKey, StoredEvent> stored, RoomVersion version) {
        var state = new HashMap<StateKey, Pdu>();
        stored.forEach((key, event) -> state.put(key, rooms.pdu(event, version)));
        return state;
    }

    static Map<StateKey, String> ids(Map<StateKey, StoredEvent> state) {
        var ids = new HashMap<StateKey, String>(state.size() * 2);
        state.forEach((key, event) -> ids.put(key, event.eventId()));
        return ids;
    }

    /**
     * Ends the partial state of a room joined with partial state (MSC3706), under the room's lock: see {@link
     * RoomStore#completePartialState}. Every event accepted on the partial state, from the join on, is checked again
     * against the completed state before it (check 5, as Synapse does when it un-partial-states an event), and one
     * that fails now is rejected. Returns the ids of the events rejected.
     */
    public List<String> completePartialState(String roomId, String joinId, Map<StateKey, String> fullBeforeJoin) {
        return rooms.withRoomLock(roomId, () -> {
            RoomVersion version = RoomService.version(rooms.requireRoom(roomId));
            return store.completePartialState(roomId, joinId, fullBeforeJoin, (stored, stateBefore) -> {
                Pdu event = rooms.pdu(stored, version);
                try {
                    rooms.authorizer().authorize(event, pdus(stateBefore.apply(neededState(event)), version));
                    return true;
                } catch (AuthorizationException e) {
                    return false;
                }
            });
        });
    }

    /**
     * Stores events received for their own sake (the state and auth chain of a room being joined, auth events
     * fetched for an event) as outliers, each after checking it against its auth events (check 4), auth events
     * first. Events that fail, or whose auth events are neither stored nor among {@code events}, are left out.
     *
     * @return the ids of the events left out
     */
    public List<String> storeOutliers(String roomId, RoomVersion version, String creator, List<EncodedPdu> events) {
        return rooms.withRoomLock(roomId, () -> {
            var pending = new HashMap<String, EncodedPdu>();
            for (EncodedPdu event : events) {
                if (store.event(event.eventId()).isEmpty()) {
                    pending.put(event.eventId(), event);
                }
            }
            var accepted = new java.util.LinkedHashMap<String, EncodedPdu>();
            var failed = new ArrayList<String>();
            StoredEventLookup lookup = new StoredEventLookup(rooms, version, accepted);
            boolean progress = true;
            while (!pending.isEmpty() && progress) {
                progress = false;
                for (var iterator = pending.values().iterator(); iterator.hasNext(); ) {
                    EncodedPdu event = iterator.next();
                    if (event.pdu().authEvents().stream().anyMatch(pending::containsKey)
                            || impliedCreate(event.pdu()).filter(pending::containsKey).isPresent()) {
                        continue;
                    }
                    iterator.remove();
                    progress = true;
                    try {
                        rooms.authorizer().authorizeByAuthEvents(event.pdu(), lookup);
                        accepted.put(event.eventId(), event);
                    } catch (AuthorizationException e) {
                        failed.add(event.eventId());
                    }
                }
            }
            failed.addAll(pending.keySet());
            if (!accepted.isEmpty()) {
                store.persistOutliers(roomId, version.id(), creator, List.copyOf(accepted.values()));
            }
            return failed;
        });
    }

    /** From v12 the create event is an auth event of every other event without being listed (its id is the room's). */
    private static Optional<String> impliedCreate(Pdu event) {
        String roomId = event.roomId();
        return event.roomVersion().authorization().roomIdFromCreateEvent() && !event.isCreate() && roomId != null
                && roomId.startsWith("!") ? Optional.of("$" + roomId.substring(1)) : Optional.empty();
    }
}
