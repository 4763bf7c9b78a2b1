package dev.myelin.server.storage;

import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.StateKey;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Rooms, their events and their state. Events keep the exact JSON bytes they were created or received as; state
 * snapshots are stored as bounded chains of deltas (see {@code V4__rooms.sql}).
 *
 * <p>Writes for one room must come from one writer at a time (the room's lock, see {@code RoomService}): {@link
 * #persist} computes each event's state from the room's current state inside its transaction.
 */
public interface RoomStore extends ReadsTogether {

    /**
     * A room this server knows. {@code currentSnapshot} is 0 before the create event is stored; {@code partialState}
     * marks a room joined with partial state (MSC3706) whose full state is still being fetched.
     */
    record Room(long nid, String roomId, String version, String creator, long currentSnapshot, boolean published,
                boolean partialState) {
        public Room withCurrentSnapshot(long snapshot) {
            return new Room(nid, roomId, version, creator, snapshot, published, partialState);
        }
    }

    /** A stored event and where it sits. */
    record StoredEvent(long nid, String eventId, long roomNid, long streamPos, long depth, long stateBefore,
                       long stateAfter, boolean rejected, boolean softFailed, String redactedBy, byte[] json,
                       boolean outlier) {
        /** The snapshot of the state after the event: its own for an accepted state event, else the state before. */
        public long stateAfterOrBefore() {
            return stateAfter != 0 ? stateAfter : stateBefore;
        }
    }

    /**
     * A client transaction id (spec: "Transaction identifiers"), scoped to the device and the endpoint with its
     * path parameters ({@code scope}, e.g. {@code send:!room:m.room.message}).
     */
    record TxnKey(String userId, String deviceId, String scope, String txnId) {}

    /** A user's latest membership of a room; {@code streamPos} is the membership event's events-stream position. */
    record Membership(String roomId, String userId, String membership, long eventNid, long streamPos,
                      boolean forgotten) {}

    /** What {@link #persist} wrote: the stored events (in order) and the room's snapshot afterwards. */
    record Persisted(Room room, List<StoredEvent> events) {
        public long lastStreamPos() {
            return events.getLast().streamPos();
        }
    }

    Optional<Room> room(String roomId);

    /** The rooms of those ids this server has, by id, in one read. */
    Map<String, Room> rooms(Collection<String> roomIds);

    /**
     * Stores events of one room in one transaction, in the order given, each after the previous: every event gets
     * the next position in the {@code events} stream and the room's current state as its state before; a state
     * event moves the current state on. The forward extremities become the last event. A create event creates the
     * room row. A redaction marks the event it redacts. The events named in {@code txns} are recorded under
     * their client transaction ids.
     *
     * @throws DuplicateTransactionException when one of {@code txns} was already used (its event id is returned
     *                                       instead by {@link #sentBefore}); nothing is stored
     */
    Persisted persist(String roomId, String roomVersion, String creator, List<EncodedPdu> events,
                      Map<String, TxnKey> txns);

    /**
     * {@link #persist(String, String, String, List, Map)} after the end of an existing room as its writer read it
     * under the room's lock ({@link #roomEnd}): the room's current snapshot is the state before the first event, its
     * forward extremities are those the first event follows, and neither is read again.
     */
    Persisted persist(RoomEnd end, List<EncodedPdu> events, Map<String, TxnKey> txns);

    /** Events of one room for {@link #persistUpgrade}, stored as {@link #persist} stores them. */
    record RoomEvents(String roomId, String roomVersion, String creator, List<EncodedPdu> events) {}

    /**
     * A room upgrade in one transaction: the replacement room's events, then the old room's (tombstone and what
     * closes it), then the old room's aliases and its directory listing moved to the replacement. Either all of it
     * is stored or nothing. Returns what was persisted for the replacement, then for the old room.
     */
    List<Persisted> persistUpgrade(RoomEvents replacement, RoomEvents old);

    /**
     * Where the state before a received event comes from: a stored snapshot (the state after its only prev event),
     * or a state computed in memory (resolved from several prev events, or given by another server on a join), which
     * is stored as a delta on {@code base} when it only adds to or changes it.
     */
    sealed interface StateBefore {
        record Snapshot(long nid) implements StateBefore {}

        record Computed(long base, Map<StateKey, String> state) implements StateBefore {}
    }

    /** What a received event does to the room's current state. */
    sealed interface CurrentState {
        /** Soft-failed, rejected, or on a fork that does not change the resolved state. */
        record Unchanged() implements CurrentState {}

        /** The event extends every forward extremity: the current state becomes the state after it. */
        record AfterEvent() implements CurrentState {}

        /** Forks merged or stayed apart: the current state is the state resolved over the new extremities. */
        record Resolved(Map<StateKey, String> state) implements CurrentState {}
    }

    /**
     * An event received from another server, checked by the caller (spec: server-server-api "Checks performed on
     * receipt of a PDU"). A rejected event keeps the state before it as the state after it and is never an
     * extremity; a soft-failed event takes its place in the DAG but is not an extremity either. Neither is shown to
     * clients.
     */
    record ReceivedEvent(EncodedPdu event, StateBefore stateBefore, boolean rejected, boolean softFailed) {}

    /**
     * Stores a received event in the room's DAG in one transaction: next events stream position, the state before
     * and after it, its prev_events replaced by it among the forward extremities (unless rejected or soft-failed),
     * the current state and memberships moved as {@code current} says. Every event a state names must be stored.
     * An event stored before as an outlier takes its place in the DAG; one already in the DAG is left alone (the
     * result is then empty).
     */
    Optional<Persisted> persistReceived(String roomId, ReceivedEvent event, CurrentState current);

    /** A received event and how the current state moves with it, for {@link #persistReceived(String, List)}. */
    record ReceivedInOrder(ReceivedEvent event, CurrentState current) {}

    /**
     * Stores received events one after the other, each as {@link #persistReceived(String, ReceivedEvent,
     * CurrentState)} does, all in one transaction (the PDUs of one inbound transaction). Events already in the DAG are
     * left alone; the result holds those stored, in order, and is empty when there are none.
     */
    Optional<Persisted> persistReceived(String roomId, List<ReceivedInOrder> events);

    /**
     * Stores an event fetched with backfill (spec: server-server-api "Backfilling and retrieving missing events") in
     * the DAG as history: at {@code streamPos}, a negative position from {@link #reserveBackfillPositions}, so that it
     * sorts before every event stored earlier and sync never sees it as new. It moves neither the forward extremities
     * nor the current state. An outlier takes its place in the DAG; an event already in it is left alone (empty).
     */
    Optional<Persisted> persistBackfilled(String roomId, ReceivedEvent event, long streamPos);

    /**
     * Reserves {@code count} events-stream positions for backfilled events, all negative and below every position
     * reserved before: the highest is returned, the others are the {@code count - 1} below it.
     */
    long reserveBackfillPositions(int count);

    /** The prev_events of the room's DAG events that are not in its DAG: where backfill goes on from. */
    List<String> backwardExtremities(long roomNid);

    /**
     * Stores events received for their own sake (auth chains, the state of a room being joined): outliers, with no
     * place in the DAG and never in a timeline. Already stored events are skipped. The room row is created when the
     * room is new ({@code roomVersion} and {@code creator} are only read then), with no current state yet.
     */
    void persistOutliers(String roomId, String roomVersion, String creator, List<EncodedPdu> events);

    /**
     * Marks a room as joined with partial state (MSC3706) and the servers to resync its full state from, or clears
     * the mark ({@code servers} empty).
     */
    void setPartialState(String roomId, List<String> servers);

    /**
     * Checks an event accepted on a room's partial state again, against the completed state before it (MSC3706;
     * Synapse re-runs check 5 on every partial-state event once the state is full).
     */
    @FunctionalInterface
    interface StateRecheck {
        /** Whether the event passes; {@code stateBefore} reads the named entries of the completed state before it. */
        boolean passes(StoredEvent event, Function<Collection<StateKey>, Map<StateKey, StoredEvent>> stateBefore);
    }

    /**
     * Ends a room's partial state (MSC3706) in one transaction: the entries of {@code fullBeforeJoin} (the full state
     * before the join, event ids, every event stored) that the partial state lacked are added to the state before
     * and after every event from the join on and to the current state, where no event since set them. Each of those
     * events, in stream order, is then checked with {@code recheck} against its completed state before; one that
     * fails is marked rejected, leaves the forward extremities, its relations and search entries, and the later
     * states (and the current state) that held it hold what it replaced instead. The memberships follow, and the
     * partial-state mark is cleared.
     *
     * @return the ids of the events rejected by the recheck
     */
    List<String> completePartialState(String roomId, String joinId, Map<StateKey, String> fullBeforeJoin,
                                      StateRecheck recheck);

    /** The servers to resync a partial-state room from; empty when the room's state is complete. */
    List<String> partialStateServers(String roomId);

    /** Rooms joined with partial state whose full state is still to fetch. */
    List<String> partialStateRooms();

    /**
     * Records a membership event of a local user in a room this server is not in (an invite received with PUT
     * /_matrix/federation/v2/invite, or the leave that rejects it): the event as an outlier, the user's membership
     * as its content says, and for an invite the stripped state sent with it ({@code inviteRoomState}, else null).
     */
    void recordRemoteMembership(String roomId, String roomVersion, EncodedPdu event, byte[] inviteRoomState);

    Optional<byte[]> inviteRoomState(long eventNid);

    Optional<StoredEvent> event(String eventId);

    Optional<StoredEvent> event(long eventNid);

    /** The events of those nids, by nid, in one read. */
    Map<Long, StoredEvent> events(Collection<Long> eventNids);

    /** The transaction an event was sent under, if it was sent with one. */
    Optional<TxnKey> txnOf(String eventId);

    List<String> forwardExtremities(long roomNid);

    /** The room's forward extremities (oldest first) and the greatest depth among them: where a new event goes. */
    record Extremities(List<String> eventIds, long depth) {}

    Extremities extremities(long roomNid);

    /**
     * Where the room's next local event goes: the room and its forward extremities, as this process's last send to
     * the room left them, or else as read in one statement.
     */
    Optional<RoomEnd> roomEnd(String roomId);

    record RoomEnd(Room room, Extremities extremities) {}

    /** The events already sent under any of {@code txns} (spec: client-server-api "Transaction identifiers"). */
    Map<TxnKey, String> sentBefore(Collection<TxnKey> txns);

    /** The whole state of a snapshot: (type, state_key) -> event. */
    Map<StateKey, StoredEvent> state(long snapshotNid);

    /** Only the named entries of a snapshot (absent ones are left out). */
    Map<StateKey, StoredEvent> state(long snapshotNid, Collection<StateKey> keys);

    /** Entries of a snapshot whose type is one of {@code types}. */
    Map<StateKey, StoredEvent> stateOfTypes(long snapshotNid, Set<String> types);

    /**
     * Events of a room by stream position, for /messages: {@code backwards} gives positions {@code <= from} down
     * to (exclusive) {@code to}, newest first; otherwise positions {@code > from} up to (inclusive) {@code to},
     * oldest first. Rejected and soft-failed events are left out.
     */
    List<StoredEvent> timeline(long roomNid, long from, long to, boolean backwards, int limit);

    /**
     * The room's events closest to {@code ts}, closest first: those at or before it when {@code forwards} is false,
     * else those at or after it. Rejected and soft-failed events are left out; so are events stored before their
     * origin_server_ts was recorded (migration V5).
     */
    List<StoredEvent> closestByTimestamp(long roomNid, long ts, boolean forwards, int limit);

    /** The user's memberships, any state; forgotten rooms included (check {@link Membership#forgotten()}). */
    List<Membership> membershipsOf(String userId);

    Optional<Membership> membership(String roomId, String userId);

    /** Every member of a room with the given membership. */
    List<Membership> members(String roomId, String membership);

    /** Marks a room forgotten for a user; false when the user is not in it as leave or ban. */
    boolean forget(String roomId, String userId);

    /** The rooms that have events with stream positions in {@code (after, upTo]}. */
    java.util.Set<String> roomsWithEventsBetween(long after, long upTo);

    /** The highest position of the events stream. */
    long currentStreamPos();

    // Aliases and the room directory.
    /** False when the alias exists. */
    boolean createAlias(String alias, String roomId, String creator);

    Optional<String> aliasRoom(String alias);

    Optional<String> aliasCreator(String alias);

    boolean deleteAlias(String alias);

    List<String> aliasesOf(String roomId);

    void setPublished(String roomId, boolean published);

    List<Room> publishedRooms();

    /** A send was retried with a transaction id that is already recorded. */
    final class DuplicateTransactionException extends RuntimeException {
        public DuplicateTransactionException(TxnKey txn) {
            super("transaction id already used: " + txn.txnId(), null, false, false);
        }
    }
}
