package dev.myelin.server.storage;

import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.StateKey;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Rooms, their events and their state. Events keep the exact JSON bytes they were created or received as; state
 * snapshots are stored as bounded chains of deltas (see {@code V4__rooms.sql}).
 *
 * <p>Writes for one room must come from one writer at a time (the room's lock, see {@code RoomService}): {@link
 * #persist} computes each event's state from the room's current state inside its transaction.
 */
public interface RoomStore {

    /** A room this server knows. {@code currentSnapshot} is 0 before the create event is stored. */
    record Room(long nid, String roomId, String version, String creator, long currentSnapshot, boolean published) {}

    /** A stored event and where it sits. */
    record StoredEvent(long nid, String eventId, long roomNid, long streamPos, long depth, long stateBefore,
                       long stateAfter, boolean rejected, boolean softFailed, String redactedBy, byte[] json) {}

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

    /**
     * Stores events of one room in one transaction, in the order given, each after the previous: every event gets
     * the next position in the {@code events} stream and the room's current state as its state before; a state
     * event moves the current state on. The forward extremities become the last event. A create event creates the
     * room row. A redaction marks the event it redacts. When {@code txn} is given the last event is recorded
     * under it.
     *
     * @throws DuplicateTransactionException when {@code txn} was already used (its event id is returned instead
     *                                       by {@link #eventIdForTxn})
     */
    Persisted persist(String roomId, String roomVersion, String creator, List<EncodedPdu> events,
                      Optional<TxnKey> txn);

    Optional<StoredEvent> event(String eventId);

    Optional<StoredEvent> event(long eventNid);

    Optional<String> eventIdForTxn(TxnKey txn);

    /** The transaction an event was sent under, if it was sent with one. */
    Optional<TxnKey> txnOf(String eventId);

    List<String> forwardExtremities(long roomNid);

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
