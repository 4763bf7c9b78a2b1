package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.StorageException;
import dev.myelin.server.storage.StreamName;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.StateKey;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rooms and events in SQL. State snapshots are deltas on a parent with chains of at most {@link #maxChainLength}
 * snapshots, so reading any snapshot walks at most that many rows of {@code state_snapshots} (one recursive query)
 * while a state change usually costs one entry row (see {@link #newSnapshot} for how chains are bounded).
 */
public final class SqlRoomStore implements RoomStore {
    public static final StreamName EVENTS = StreamName.of("events");
    /** Counts the positions given to backfilled events, which are stored at its negation. */
    private static final StreamName BACKFILL = StreamName.of("backfill");
    /** Deltas between full snapshots. A full snapshot of a 1,000-member room is ~1,000 small rows. */
    public static final int DEFAULT_MAX_CHAIN_LENGTH = 64;

    static final String EVENT_COLUMNS = "e.event_nid, e.event_id, e.room_nid, e.stream_pos, e.depth, "
            + "e.state_before_nid, e.state_after_nid, e.rejected, e.soft_failed, e.redacted_by, e.json, e.outlier";

    private final Database database;
    private final int maxChainLength;
    private final GroupWriter<Append, Persisted> appends = new GroupWriter<>(this::persistAll);
    private final KnownRoomEnds knownEnds = new KnownRoomEnds(10_000);
    // Interned names found committed in the database (never rolled back, so safe to cache).
    private final Map<String, Long> typeNids = new ConcurrentHashMap<>();
    private final Map<String, Long> stateKeyNids = new ConcurrentHashMap<>();

    public SqlRoomStore(Database database) {
        this(database, DEFAULT_MAX_CHAIN_LENGTH);
    }

    public SqlRoomStore(Database database, int maxChainLength) {
        if (maxChainLength < 1) {
            throw new IllegalArgumentException("maxChainLength must be at least 1");
        }
        this.database = database;
        this.maxChainLength = maxChainLength;
    }

    private record NidKey(long type, long stateKey) {}

    static StoredEvent storedEvent(ResultSet row) throws SQLException {
        return new StoredEvent(row.getLong("event_nid"), row.getString("event_id"), row.getLong("room_nid"),
                row.getLong("stream_pos"), row.getLong("depth"), row.getLong("state_before_nid"),
                row.getLong("state_after_nid"), row.getBoolean("rejected"), row.getBoolean("soft_failed"),
                row.getString("redacted_by"), row.getBytes("json"), row.getBoolean("outlier"));
    }

    private static Room roomRow(ResultSet row) throws SQLException {
        return new Room(row.getLong("room_nid"), row.getString("room_id"), row.getString("room_version"),
                row.getString("creator"), row.getLong("current_snapshot_nid"), row.getBoolean("published"),
                row.getBoolean("partial_state"));
    }

    @Override
    public <T> T readingTogether(java.util.function.Supplier<T> code) {
        return database.readingTogether(code);
    }

    @Override
    public Optional<Room> room(String roomId) {
        return database.read(c -> selectRoom(c, roomId));
    }

    @Override
    public Map<String, Room> rooms(Collection<String> roomIds) {
        var ids = List.copyOf(roomIds);
        return database.read(c -> {
            var found = new HashMap<String, Room>();
            for (int i = 0; i < ids.size(); i += 500) {
                List<String> chunk = ids.subList(i, Math.min(ids.size(), i + 500));
                Jdbc.queryList(c, "SELECT * FROM rooms WHERE room_id IN ("
                        + Jdbc.marks(chunk.size()) + ")",
                        SqlRoomStore::roomRow, chunk.toArray()).forEach(room -> found.put(room.roomId(), room));
            }
            return found;
        });
    }

    private static Optional<Room> selectRoom(Connection c, String roomId) throws SQLException {
        return Jdbc.queryOne(c, "SELECT * FROM rooms WHERE room_id = ?", SqlRoomStore::roomRow, roomId);
    }

    @Override
    public Persisted persist(String roomId, String roomVersion, String creator, List<EncodedPdu> events,
                             Map<String, TxnKey> txns) {
        return persistAll(List.of(new Append(roomId, roomVersion, creator, Optional.empty(), events, txns)))
                .getFirst();
    }

    /**
     * Sends to different rooms that arrive together share one transaction ({@link GroupWriter}): one numbering
     * statement and one batch of writes with the commit for all of them.
     */
    @Override
    public Persisted persist(RoomEnd end, List<EncodedPdu> events, Map<String, TxnKey> txns) {
        Room room = end.room();
        return appends.write(new Append(room.roomId(), room.version(), room.creator(), Optional.of(end), events,
                txns));
    }

    /** Events to store in one room: after its end as its writer read it under the room's lock, if known. */
    private record Append(String roomId, String roomVersion, String creator, Optional<RoomEnd> end,
                          List<EncodedPdu> events, Map<String, TxnKey> txns) {}

    /** Stores each append after the previous, in one transaction. */
    private List<Persisted> persistAll(List<Append> appends) {
        var interned = new HashMap<String, Long>();
        var internedKeys = new HashMap<String, Long>();
        long[] noted = appends.stream().mapToLong(append -> knownEnds.generation(append.roomId())).toArray();
        List<Persisted> persisted;
        try {
            persisted = writeNumbered((c, numbering) -> {
                var writes = new DeferredWrites(c, database.dialect());
                EventsStream.Numbers numbers = numbering.nextWithNids(c,
                        appends.stream().mapToInt(append -> append.events().size()).sum());
                var stored = new ArrayList<Persisted>(appends.size());
                int taken = 0;
                for (Append append : appends) {
                    int count = append.events().size();
                    stored.add(persistIn(c, numbers.slice(taken, count), writes, append, interned, internedKeys));
                    taken += count;
                }
                writes.commit();
                return stored;
            });
        } catch (RuntimeException | Error e) {
            // Whether a failed commit took effect may be unknown: the rooms are read again next time.
            appends.forEach(append -> knownEnds.forget(append.roomId()));
            if (e instanceof StorageException failure && appends.size() == 1) {
                throw duplicateTransactionOr(failure, appends.getFirst().txns());
            }
            throw e;
        }
        typeNids.putAll(interned);
        stateKeyNids.putAll(internedKeys);
        for (int i = 0; i < appends.size(); i++) {
            Append append = appends.get(i);
            if (append.end().isPresent()) {
                knownEnds.put(endAfter(append.end().get(), persisted.get(i).room(), append.events()), noted[i]);
            } else {
                knownEnds.forget(append.roomId());
            }
        }
        return persisted;
    }

    /**
     * Runs a write that may change the rooms' rows or forward extremities other than by a send: their known ends are
     * forgotten before (so a send noting their generation after it does not keep what it saw) and after it.
     */
    private <T> T forgetting(List<String> roomIds, java.util.function.Supplier<T> write) {
        roomIds.forEach(knownEnds::forget);
        try {
            return write.get();
        } finally {
            roomIds.forEach(knownEnds::forget);
        }
    }

    /** The room's end once {@code events} followed {@code end}: each event replaces its prev events. */
    private static RoomEnd endAfter(RoomEnd end, Room room, List<EncodedPdu> events) {
        var ids = new ArrayList<>(end.extremities().eventIds());
        long depth = end.extremities().depth();
        for (EncodedPdu event : events) {
            ids.removeAll(event.pdu().prevEvents());
            ids.add(event.eventId());
            depth = Math.max(depth, event.pdu().depth());
        }
        return new RoomEnd(room, new Extremities(List.copyOf(ids), depth));
    }

    /**
     * A transaction id is recorded by a plain INSERT, so that a duplicate fails the write before its commit (which
     * goes with the deferred writes); once the write is rolled back, whether that is what failed it is read apart.
     */
    private RuntimeException duplicateTransactionOr(StorageException failure, Map<String, TxnKey> txns) {
        if (txns.isEmpty() || !(failure.getCause() instanceof SQLException sql)
                || !database.dialect().isUniqueViolation(sql)) {
            return failure;
        }
        Map<TxnKey, String> used = sentBefore(txns.values());
        return txns.values().stream().filter(used::containsKey).findFirst()
                .<RuntimeException>map(DuplicateTransactionException::new).orElse(failure);
    }

    @Override
    public List<Persisted> persistUpgrade(RoomEvents replacement, RoomEvents old) {
        return forgetting(List.of(replacement.roomId(), old.roomId()), () -> {
            var interned = new HashMap<String, Long>();
            var internedKeys = new HashMap<String, Long>();
            List<Persisted> persisted = writeNumbered((c, numbering) -> {
                var writes = new DeferredWrites(c, database.dialect());
                Persisted created = persistIn(c, numbering.nextWithNids(c, replacement.events().size()), writes,
                        new Append(replacement.roomId(), replacement.roomVersion(), replacement.creator(),
                                Optional.empty(), replacement.events(), Map.of()), interned, internedKeys);
                Persisted closed = persistIn(c, numbering.nextWithNids(c, old.events().size()), writes,
                        new Append(old.roomId(), old.roomVersion(), old.creator(), Optional.empty(), old.events(),
                                Map.of()), interned, internedKeys);
                writes.update("UPDATE room_aliases SET room_id = ? WHERE room_id = ?", replacement.roomId(),
                        old.roomId());
                if (closed.room().published()) {
                    writes.update("UPDATE rooms SET published = FALSE WHERE room_nid = ?", closed.room().nid());
                    writes.update("UPDATE rooms SET published = TRUE WHERE room_nid = ?", created.room().nid());
                }
                writes.commit();
                return List.of(created, closed);
            });
            typeNids.putAll(interned);
            stateKeyNids.putAll(internedKeys);
            return persisted;
        });
    }

    /**
     * A write whose events take positions of the events stream: the positions end with the transaction, and the
     * write returns once readers may read them, so whoever announces them next finds them readable.
     */
    private <T> T writeNumbered(NumberedWork<T> work) {
        EventsStream.Numbering numbering = database.eventsStream().begin();
        T result;
        try {
            result = database.write(c -> work.run(c, numbering));
        } catch (RuntimeException | Error e) {
            numbering.abandoned();
            throw e;
        }
        numbering.committed();
        return result;
    }

    @FunctionalInterface
    private interface NumberedWork<T> {
        T run(Connection c, EventsStream.Numbering numbering) throws SQLException;
    }

    /**
     * Stores events of one room. A known end is the room as its writer read it under the room's lock (only that
     * writer moves its current snapshot and extremities), so it is not read again; without it the row is read, or
     * created for a create event. The statements that depend on nothing read here are deferred to {@code writes}, which the caller
     * runs: with the event nids taken in advance, a message costs the numbering and one batch of writes with the
     * commit ({@link DeferredWrites#commit}).
     */
    private Persisted persistIn(Connection c, EventsStream.Numbers numbers, DeferredWrites writes, Append append,
                                Map<String, Long> interned, Map<String, Long> internedKeys) throws SQLException {
        String roomId = append.roomId();
        List<EncodedPdu> events = append.events();
        Optional<RoomEnd> known = append.end();
        if (events.isEmpty()) {
            throw new IllegalArgumentException("nothing to persist");
        }
        if (known.isEmpty()) {
            writes.flush();
        }
        Optional<Room> existing = known.isPresent() ? known.map(RoomEnd::room) : selectRoom(c, roomId);
        // The forward extremities as the events leave them, when the room's end is known.
        List<String> extremities = known.map(end -> new ArrayList<>(end.extremities().eventIds())).orElse(null);
        Room room;
        if (existing.isPresent()) {
            room = existing.get();
        } else {
            if (!events.getFirst().pdu().isCreate()) {
                throw new IllegalStateException("unknown room " + roomId + " must start with its create event");
            }
            room = Jdbc.queryOne(c, """
                    INSERT INTO rooms (room_id, room_version, creator) VALUES (?, ?, ?) RETURNING *""",
                    SqlRoomStore::roomRow, roomId, append.roomVersion(), append.creator()).orElseThrow();
        }
        long roomNid = room.nid();
        // Interning reads and writes only the nid tables, which no deferred statement touches: no flush needed.
        var typeNidOf = new long[events.size()];
        var stateKeyNidOf = new Long[events.size()];
        for (int i = 0; i < events.size(); i++) {
            Pdu pdu = events.get(i).pdu();
            typeNidOf[i] = intern(c, "event_types", "type", "type_nid", typeNids, interned, pdu.type());
            stateKeyNidOf[i] = pdu.isState()
                    ? intern(c, "state_keys", "state_key", "state_key_nid", stateKeyNids, internedKeys,
                    pdu.stateKey())
                    : null;
        }
        long snapshotBefore = room.currentSnapshot();
        long current = snapshotBefore;
        var stored = new ArrayList<StoredEvent>(events.size());
        for (int i = 0; i < events.size(); i++) {
            EncodedPdu encoded = events.get(i);
            Pdu pdu = encoded.pdu();
            long before = current;
            long pos = numbers.positions()[i];
            long eventNid = numbers.eventNids()[i];
            long typeNid = typeNidOf[i];
            Long stateKeyNid = stateKeyNidOf[i];
            byte[] json = encoded.bytes();
            writes.update("""
                    INSERT INTO events (event_nid, event_id, room_nid, type_nid, state_key_nid, depth, stream_pos,
                                        state_before_nid, json, origin_server_ts)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", eventNid, pdu.eventId(), roomNid, typeNid, stateKeyNid,
                    pdu.depth(), pos, current == 0 ? null : current, json, pdu.originServerTs());
            SqlRelationStore.index(writes, roomNid, eventNid, pos, pdu);
            long after = current;
            if (stateKeyNid != null) {
                writes.flush();
                after = newSnapshot(c, roomNid, current, Map.of(new NidKey(typeNid, stateKeyNid), eventNid));
                writes.update("UPDATE events SET state_after_nid = ? WHERE event_nid = ?", after, eventNid);
            }
            if (extremities == null) {
                replaceExtremities(writes, roomNid, pdu, eventNid);
            } else {
                replaceKnownExtremities(writes, roomNid, pdu, eventNid, extremities);
            }
            if ("m.room.member".equals(pdu.type()) && pdu.isState()) {
                String membership = pdu.content().path("membership").asText("leave");
                writes.update("""
                        INSERT INTO room_memberships (room_nid, user_id, membership, event_nid, forgotten)
                        VALUES (?, ?, ?, ?, FALSE)
                        ON CONFLICT (room_nid, user_id) DO UPDATE SET membership = excluded.membership,
                            event_nid = excluded.event_nid, forgotten = FALSE""",
                        roomNid, pdu.stateKey(), membership, eventNid);
            }
            if ("m.room.redaction".equals(pdu.type()) && pdu.redacts() != null) {
                writes.update("""
                        UPDATE events SET redacted_by = ? WHERE event_id = ? AND room_nid = ?
                        AND redacted_by IS NULL""", pdu.eventId(), pdu.redacts(), roomNid);
                SqlRelationStore.unindex(writes, pdu.redacts(), roomNid);
            }
            // Derived indexes that must agree with the events: full-text search and the user directory.
            SqlSearchStore.onRoomEvent(writes, database.dialect(), roomNid, eventNid, pdu.type(), pdu.content(),
                    pdu.redacts());
            if (pdu.isState()) {
                writes.flush();
                SqlUserDirectoryStore.onRoomEvent(c, roomNid, pdu);
            }
            current = after;
            stored.add(new StoredEvent(eventNid, pdu.eventId(), roomNid, pos, pdu.depth(),
                    before, stateKeyNid == null ? 0 : after, false, false, null, json, false));
        }
        if (current != snapshotBefore) {
            writes.update("UPDATE rooms SET current_snapshot_nid = ? WHERE room_nid = ?", current, roomNid);
        }
        for (var txn : append.txns().entrySet()) {
            TxnKey key = txn.getValue();
            writes.update("""
                    INSERT INTO event_txn_ids (user_id, device_id, scope, txn_id, event_id)
                    VALUES (?, ?, ?, ?, ?)""", key.userId(), key.deviceId(), key.scope(), key.txnId(), txn.getKey());
        }
        // Only the snapshot of the room's row changed here: no need to read it back.
        return new Persisted(room.withCurrentSnapshot(current), List.copyOf(stored));
    }

    @Override
    public Optional<Persisted> persistReceived(String roomId, ReceivedEvent received, CurrentState current) {
        return forgetting(List.of(roomId), () -> {
            return persistInDag(roomId, received, current, null);
        });
    }

    @Override
    public Optional<Persisted> persistReceived(String roomId, List<ReceivedInOrder> events) {
        return forgetting(List.of(roomId), () -> {
            var interned = new HashMap<String, Long>();
            var internedKeys = new HashMap<String, Long>();
            Optional<Persisted> persisted = writeNumbered((c, numbering) -> {
                Room room = requireRoom(c, roomId);
                var stored = new ArrayList<StoredEvent>();
                for (ReceivedInOrder event : events) {
                    InDag written = persistInDag(c, numbering, room, event.event(), event.current(), null, interned,
                            internedKeys);
                    room = written.room();
                    written.stored().ifPresent(stored::add);
                }
                return stored.isEmpty() ? Optional.<Persisted>empty()
                        : Optional.of(new Persisted(room, List.copyOf(stored)));
            });
            typeNids.putAll(interned);
            stateKeyNids.putAll(internedKeys);
            return persisted;
        });
    }

    @Override
    public Optional<Persisted> persistBackfilled(String roomId, ReceivedEvent received, long streamPos) {
        return forgetting(List.of(roomId), () -> {
            if (streamPos >= 0) {
                throw new IllegalArgumentException("a backfilled event goes before every other event: " + streamPos);
            }
            return persistInDag(roomId, received, new CurrentState.Unchanged(), streamPos);
        });
    }

    @Override
    public long reserveBackfillPositions(int count) {
        // Counted up in the 'backfill' row of stream_positions and negated: each block is below every earlier one.
        long highest = database.write(c -> SqlStreamPositions.advance(c, BACKFILL, count));
        return -(highest - count + 1);
    }

    @Override
    public List<String> backwardExtremities(long roomNid) {
        return database.read(c -> Jdbc.queryList(c,
                "SELECT event_id FROM backward_extremities WHERE room_nid = ? ORDER BY event_id",
                row -> row.getString(1), roomNid));
    }

    /**
     * Stores a received event in the DAG: at the next events-stream position, or for a backfilled event at
     * {@code historicalPos}, where it neither moves the forward extremities nor feeds the derived indexes that follow
     * the current state (memberships, user directory).
     */
    private Optional<Persisted> persistInDag(String roomId, ReceivedEvent received, CurrentState current,
                                             Long historicalPos) {
        var interned = new HashMap<String, Long>();
        var internedKeys = new HashMap<String, Long>();
        Optional<Persisted> persisted = writeNumbered((c, numbering) -> {
            InDag written = persistInDag(c, numbering, requireRoom(c, roomId), received, current, historicalPos,
                    interned, internedKeys);
            return written.stored().map(stored -> new Persisted(written.room(), List.of(stored)));
        });
        typeNids.putAll(interned);
        stateKeyNids.putAll(internedKeys);
        return persisted;
    }

    private static Room requireRoom(Connection c, String roomId) throws SQLException {
        return selectRoom(c, roomId).orElseThrow(() -> new IllegalStateException("unknown room " + roomId));
    }

    /** The room after an event was stored in the DAG, and the stored event (empty when it was known already). */
    private record InDag(Room room, Optional<StoredEvent> stored) {}

    /**
     * {@link #persistInDag(String, ReceivedEvent, CurrentState, Long)} within a transaction, on {@code room} as
     * this transaction has it: only the room's current snapshot changes here, so the room after is not read back.
     */
    private InDag persistInDag(Connection c, EventsStream.Numbering numbering, Room room, ReceivedEvent received,
                               CurrentState current, Long historicalPos, Map<String, Long> interned,
                               Map<String, Long> internedKeys) throws SQLException {
        long roomNid = room.nid();
        Pdu pdu = received.event().pdu();
        Optional<StoredEvent> existing = selectEvent(c, pdu.eventId());
        if (existing.isPresent() && !existing.get().outlier()) {
            return new InDag(room, Optional.empty());
        }
        long before = switch (received.stateBefore()) {
            case StateBefore.Snapshot snapshot -> snapshot.nid();
            case StateBefore.Computed computed ->
                    snapshotOf(c, roomNid, computed.base(), computed.state(), interned, internedKeys);
        };
        long pos = historicalPos != null ? historicalPos : numbering.next(c, 1)[0];
        long typeNid = intern(c, "event_types", "type", "type_nid", typeNids, interned, pdu.type());
        Long stateKeyNid = pdu.isState()
                ? intern(c, "state_keys", "state_key", "state_key_nid", stateKeyNids, internedKeys, pdu.stateKey())
                : null;
        updateBackwardExtremities(c, roomNid, pdu);
        boolean rejected = received.rejected();
        boolean softFailed = received.softFailed();
        byte[] json = received.event().bytes();
        long eventNid;
        if (existing.isPresent()) {
            eventNid = existing.get().nid();
            Jdbc.update(c, """
                    UPDATE events SET outlier = FALSE, stream_pos = ?, state_before_nid = ?, rejected = ?,
                    soft_failed = ? WHERE event_nid = ?""", pos, before == 0 ? null : before, rejected, softFailed,
                    eventNid);
        } else {
            eventNid = Jdbc.queryOne(c, """
                    INSERT INTO events (event_id, room_nid, type_nid, state_key_nid, depth, stream_pos,
                                        state_before_nid, rejected, soft_failed, json, origin_server_ts)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING event_nid""", row -> row.getLong(1),
                    pdu.eventId(), roomNid, typeNid, stateKeyNid, pdu.depth(), pos, before == 0 ? null : before,
                    rejected, softFailed, json, pdu.originServerTs()).orElseThrow();
        }
        long after = 0;
        if (stateKeyNid != null && !rejected) {
            after = newSnapshot(c, roomNid, before, Map.of(new NidKey(typeNid, stateKeyNid), eventNid));
            Jdbc.update(c, "UPDATE events SET state_after_nid = ? WHERE event_nid = ?", after, eventNid);
        }
        if (!rejected && !softFailed) {
            var writes = new DeferredWrites(c, database.dialect());
            if (historicalPos == null) {
                replaceExtremities(writes, roomNid, pdu, eventNid);
            }
            if ("m.room.redaction".equals(pdu.type()) && pdu.redacts() != null) {
                writes.update("""
                        UPDATE events SET redacted_by = ? WHERE event_id = ? AND room_nid = ?
                        AND redacted_by IS NULL""", pdu.eventId(), pdu.redacts(), roomNid);
                SqlRelationStore.unindex(writes, pdu.redacts(), roomNid);
            }
            // The derived indexes local events get in persist: relations, full-text search, user directory.
            SqlRelationStore.index(writes, roomNid, eventNid, pos, pdu);
            SqlSearchStore.onRoomEvent(writes, database.dialect(), roomNid, eventNid, pdu.type(), pdu.content(),
                    pdu.redacts());
            writes.flush();
            if (historicalPos == null) {
                SqlUserDirectoryStore.onRoomEvent(c, roomNid, pdu);
            }
        }
        long oldCurrent = room.currentSnapshot();
        long newCurrent = switch (current) {
            case CurrentState.Unchanged _ -> oldCurrent;
            case CurrentState.AfterEvent _ -> after != 0 ? after : before;
            case CurrentState.Resolved resolved ->
                    snapshotOf(c, roomNid, oldCurrent, resolved.state(), interned, internedKeys);
        };
        if (newCurrent != oldCurrent) {
            Jdbc.update(c, "UPDATE rooms SET current_snapshot_nid = ? WHERE room_nid = ?", newCurrent, roomNid);
            if (before == oldCurrent && newCurrent == after) {
                if ("m.room.member".equals(pdu.type())) {
                    upsertMembership(c, roomNid, pdu.stateKey(), pdu.content().path("membership").asText("leave"),
                            eventNid);
                }
            } else {
                refreshMemberships(c, roomNid, newCurrent);
            }
        }
        return new InDag(room.withCurrentSnapshot(newCurrent), Optional.of(new StoredEvent(eventNid, pdu.eventId(),
                roomNid, pos, pdu.depth(), before, after, rejected, softFailed, null, json, false)));
    }

    /**
     * The event takes the place of its prev_events among the room's forward extremities: it takes over the row of
     * its first prev event if that is an extremity (an update in place, see migration V31), the other prev events'
     * rows go, and it gets a row of its own if it took over none. Written without looking at row counts, so the
     * statements can be deferred.
     */
    private static void replaceExtremities(DeferredWrites writes, long roomNid, Pdu pdu, long eventNid)
            throws SQLException {
        List<String> prevs = pdu.prevEvents();
        String whichRow = " WHERE room_nid = ? AND event_id = ?";
        for (int i = 0; i < prevs.size(); i++) {
            if (i == 0) {
                writes.update("UPDATE forward_extremities SET event_nid = ?, event_id = ?, depth = ?" + whichRow,
                        eventNid, pdu.eventId(), pdu.depth(), roomNid, prevs.getFirst());
            } else {
                writes.update("DELETE FROM forward_extremities" + whichRow, roomNid, prevs.get(i));
            }
        }
        writes.update("""
                INSERT INTO forward_extremities (room_nid, event_nid, event_id, depth)
                SELECT ?, ?, ?, ? WHERE NOT EXISTS (
                    SELECT 1 FROM forward_extremities WHERE room_nid = ? AND event_nid = ?)""",
                roomNid, eventNid, pdu.eventId(), pdu.depth(), roomNid, eventNid);
    }

    /**
     * {@link #replaceExtremities} when the room's extremities are known (and updated here): the event takes over the
     * row of the first of its prev events that is one, the others' rows go, and only an event that follows none
     * gets a row of its own.
     */
    private static void replaceKnownExtremities(DeferredWrites writes, long roomNid, Pdu pdu, long eventNid,
                                                List<String> extremities) throws SQLException {
        String whichRow = " WHERE room_nid = ? AND event_id = ?";
        boolean placed = false;
        for (String prev : pdu.prevEvents()) {
            if (!extremities.remove(prev)) {
                continue;
            }
            if (placed) {
                writes.update("DELETE FROM forward_extremities" + whichRow, roomNid, prev);
            } else {
                writes.update("UPDATE forward_extremities SET event_nid = ?, event_id = ?, depth = ?" + whichRow,
                        eventNid, pdu.eventId(), pdu.depth(), roomNid, prev);
                placed = true;
            }
        }
        if (!placed) {
            writes.update("INSERT INTO forward_extremities (room_nid, event_nid, event_id, depth) VALUES (?, ?, ?, ?)",
                    roomNid, eventNid, pdu.eventId(), pdu.depth());
        }
        extremities.add(pdu.eventId());
    }

    /** The event is in the DAG now, and its prev_events not in it are where backfill goes on from. */
    private static void updateBackwardExtremities(Connection c, long roomNid, Pdu pdu) throws SQLException {
        Jdbc.update(c, "DELETE FROM backward_extremities WHERE room_nid = ? AND event_id = ?", roomNid, pdu.eventId());
        for (String prev : pdu.prevEvents()) {
            Jdbc.update(c, """
                    INSERT INTO backward_extremities (room_nid, event_id)
                    SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM events WHERE event_id = ? AND outlier = FALSE)
                    ON CONFLICT DO NOTHING""", roomNid, prev, prev);
        }
    }

    @Override
    public void persistOutliers(String roomId, String roomVersion, String creator, List<EncodedPdu> events) {
        forgetting(List.of(roomId), () -> {
            var interned = new HashMap<String, Long>();
            var internedKeys = new HashMap<String, Long>();
            writeNumbered((c, numbering) -> insertOutliers(c, numbering, roomId, roomVersion, creator, events, interned,
                    internedKeys));
            typeNids.putAll(interned);
            stateKeyNids.putAll(internedKeys);
            return null;
        });
    }

    private Void insertOutliers(Connection c, EventsStream.Numbering numbering, String roomId, String roomVersion,
                                String creator, List<EncodedPdu> events, Map<String, Long> interned,
                                Map<String, Long> internedKeys) throws SQLException {
        Optional<Room> existing = selectRoom(c, roomId);
        long roomNid = existing.isPresent() ? existing.get().nid() : Jdbc.queryOne(c, """
                INSERT INTO rooms (room_id, room_version, creator) VALUES (?, ?, ?)
                RETURNING room_nid""", row -> row.getLong(1), roomId, roomVersion, creator).orElseThrow();
        for (EncodedPdu encoded : events) {
            Pdu pdu = encoded.pdu();
            if (selectEvent(c, pdu.eventId()).isPresent()) {
                continue;
            }
            long typeNid = intern(c, "event_types", "type", "type_nid", typeNids, interned, pdu.type());
            Long stateKeyNid = pdu.isState()
                    ? intern(c, "state_keys", "state_key", "state_key_nid", stateKeyNids, internedKeys,
                    pdu.stateKey())
                    : null;
            Jdbc.update(c, """
                    INSERT INTO events (event_id, room_nid, type_nid, state_key_nid, depth, stream_pos, json,
                                        outlier)
                    VALUES (?, ?, ?, ?, ?, ?, ?, TRUE)""", pdu.eventId(), roomNid, typeNid, stateKeyNid,
                    pdu.depth(), numbering.next(c, 1)[0], encoded.bytes());
        }
        return null;
    }

    private static Optional<StoredEvent> selectEvent(Connection c, String eventId) throws SQLException {
        return Jdbc.queryOne(c, "SELECT " + EVENT_COLUMNS + " FROM events e WHERE e.event_id = ?",
                SqlRoomStore::storedEvent, eventId);
    }

    /**
     * The snapshot holding exactly {@code state}: {@code base} itself when equal, a delta on it when {@code state}
     * only adds to or changes it, else a new full snapshot.
     */
    private long snapshotOf(Connection c, long roomNid, long base, Map<StateKey, String> state,
                            Map<String, Long> interned, Map<String, Long> internedKeys) throws SQLException {
        Map<String, Long> eventNids = eventNids(c, state.values());
        var target = new HashMap<NidKey, Long>(state.size() * 2);
        for (var entry : state.entrySet()) {
            Long eventNid = eventNids.get(entry.getValue());
            if (eventNid == null) {
                throw new IllegalStateException("state names an event that is not stored: " + entry.getValue());
            }
            target.put(new NidKey(
                    intern(c, "event_types", "type", "type_nid", typeNids, interned, entry.getKey().type()),
                    intern(c, "state_keys", "state_key", "state_key_nid", stateKeyNids, internedKeys,
                            entry.getKey().stateKey())), eventNid);
        }
        if (base != 0) {
            Map<NidKey, Long> baseState = stateNids(c, base, null);
            if (target.keySet().containsAll(baseState.keySet())) {
                var changes = new HashMap<NidKey, Long>();
                target.forEach((key, nid) -> {
                    if (!nid.equals(baseState.get(key))) {
                        changes.put(key, nid);
                    }
                });
                return changes.isEmpty() ? base : newSnapshot(c, roomNid, base, changes);
            }
        }
        return insertSnapshot(c, roomNid, null, 0, target);
    }

    private static Map<String, Long> eventNids(Connection c, Collection<String> eventIds) throws SQLException {
        var ids = new ArrayList<>(new java.util.LinkedHashSet<>(eventIds));
        var nids = new HashMap<String, Long>(ids.size() * 2);
        for (int i = 0; i < ids.size(); i += 500) {
            List<String> chunk = ids.subList(i, Math.min(ids.size(), i + 500));
            String marks = Jdbc.marks(chunk.size());
            for (Object[] row : Jdbc.queryList(c, "SELECT event_id, event_nid FROM events WHERE event_id IN ("
                    + marks + ")", row -> new Object[]{row.getString(1), row.getLong(2)}, chunk.toArray())) {
                nids.put((String) row[0], (Long) row[1]);
            }
        }
        return nids;
    }

    private static void upsertMembership(Connection c, long roomNid, String userId, String membership, long eventNid)
            throws SQLException {
        Jdbc.update(c, """
                INSERT INTO room_memberships (room_nid, user_id, membership, event_nid, forgotten)
                VALUES (?, ?, ?, ?, FALSE)
                ON CONFLICT (room_nid, user_id) DO UPDATE SET membership = excluded.membership,
                    event_nid = excluded.event_nid, forgotten = FALSE""", roomNid, userId, membership, eventNid);
    }

    /** Brings the room's memberships in line with the member events of its (new) current state. */
    private void refreshMemberships(Connection c, long roomNid, long snapshot) throws SQLException {
        Long memberType = lookupNid(c, "event_types", "type", "type_nid", typeNids, "m.room.member");
        if (memberType == null || snapshot == 0) {
            return;
        }
        var known = new java.util.HashSet<>(Jdbc.queryList(c,
                "SELECT event_nid FROM room_memberships WHERE room_nid = ?", row -> row.getLong(1), roomNid));
        var changed = new HashMap<NidKey, Long>();
        stateNids(c, snapshot, "se.type_nid = ?", memberType).forEach((key, nid) -> {
            if (!known.contains(nid)) {
                changed.put(key, nid);
            }
        });
        for (var entry : resolve(c, changed).entrySet()) {
            String membership;
            try {
                membership = dev.myelin.spec.json.MatrixJsonParser.LENIENT.parseObject(entry.getValue().json())
                        .path("content").path("membership").asText("leave");
            } catch (dev.myelin.spec.json.InvalidJsonException e) {
                throw new IllegalStateException("stored event is not JSON: " + entry.getValue().eventId(), e);
            }
            upsertMembership(c, roomNid, entry.getKey().stateKey(), membership, entry.getValue().nid());
        }
    }

    @Override
    public void setPartialState(String roomId, List<String> servers) {
        forgetting(List.of(roomId), () -> {
            database.write(c -> Jdbc.update(c, "UPDATE rooms SET partial_state = ?, resync_servers = ? WHERE room_id = ?",
                    !servers.isEmpty(), servers.isEmpty() ? null : String.join(" ", servers), roomId));
            return null;
        });
    }

    @Override
    public List<String> completePartialState(String roomId, String joinId, Map<StateKey, String> fullBeforeJoin,
                                             StateRecheck recheck) {
        return forgetting(List.of(roomId), () -> {
            var interned = new HashMap<String, Long>();
            var internedKeys = new HashMap<String, Long>();
            List<String> rejected = database.write(c -> {
                Room room = selectRoom(c, roomId).orElseThrow(() -> new IllegalStateException("unknown room " + roomId));
                StoredEvent join = selectEvent(c, joinId).orElseThrow();
                Map<NidKey, Long> partial = stateNids(c, join.stateBefore(), null);
                Map<String, Long> eventNids = eventNids(c, fullBeforeJoin.values());
                var fixes = new StateFixes();
                for (var entry : fullBeforeJoin.entrySet()) {
                    var key = new NidKey(
                            intern(c, "event_types", "type", "type_nid", typeNids, interned, entry.getKey().type()),
                            intern(c, "state_keys", "state_key", "state_key_nid", stateKeyNids, internedKeys,
                                    entry.getKey().stateKey()));
                    Long eventNid = eventNids.get(entry.getValue());
                    if (eventNid == null) {
                        throw new IllegalStateException("state names an event that is not stored: " + entry.getValue());
                    }
                    if (!partial.containsKey(key)) {
                        fixes.omitted.put(key, eventNid);
                    }
                }
                // Every snapshot from the join on gets what the partial state left out, unless an event since set it;
                // then each event is checked again on its completed state before, in order, so that a rejected event's
                // entry is taken out of the states after it before the next event is checked.
                var rejectedIds = new ArrayList<String>();
                List<StoredEvent> events = Jdbc.queryList(c, "SELECT " + EVENT_COLUMNS + """
                         FROM events e WHERE e.room_nid = ? AND e.stream_pos >= ? AND e.outlier = FALSE
                        ORDER BY e.stream_pos""", SqlRoomStore::storedEvent, room.nid(), join.streamPos());
                for (StoredEvent event : events) {
                    long before = completed(c, room.nid(), event.stateBefore(), fixes);
                    long after = completed(c, room.nid(), event.stateAfter(), fixes);
                    StoredEvent completedEvent = new StoredEvent(event.nid(), event.eventId(), event.roomNid(),
                            event.streamPos(), event.depth(), before, after, event.rejected(), event.softFailed(),
                            event.redactedBy(), event.json(), false);
                    if (!event.rejected() && !recheck.passes(completedEvent, keys -> {
                        try {
                            return stateIn(c, before, keys);
                        } catch (SQLException e) {
                            throw new dev.myelin.server.storage.StorageException("reading state: " + e.getMessage(), e);
                        }
                    })) {
                        reject(c, room.nid(), completedEvent, fixes);
                        rejectedIds.add(event.eventId());
                        after = 0;
                    }
                    Jdbc.update(c, "UPDATE events SET state_before_nid = ?, state_after_nid = ? WHERE event_nid = ?",
                            nullIfZero(before), nullIfZero(after), event.nid());
                }
                long current = completed(c, room.nid(), room.currentSnapshot(), fixes);
                Jdbc.update(c, """
                        UPDATE rooms SET current_snapshot_nid = ?, partial_state = FALSE, resync_servers = NULL
                        WHERE room_nid = ?""", current, room.nid());
                refreshMemberships(c, room.nid(), current);
                // A rejected member event with nothing before it leaves its user without a membership.
                for (StateFixes.Replaced replaced : fixes.replaced.values()) {
                    if (replaced.replacement() == null) {
                        Jdbc.update(c, "DELETE FROM room_memberships WHERE room_nid = ? AND event_nid = ?", room.nid(),
                                replaced.rejected());
                    }
                }
                return rejectedIds;
            });
            typeNids.putAll(interned);
            stateKeyNids.putAll(internedKeys);
            return rejected;
        });
    }

    /**
     * What completing a partial state changes in each snapshot: entries the partial state omitted are added where
     * absent, and entries naming an event rejected by the recheck take back what that event replaced (or go).
     * Snapshots already completed are remembered until a new rejection changes what completing means.
     */
    private static final class StateFixes {
        /** A rejected state event's entry and what was there before it (null: nothing). */
        record Replaced(long rejected, Long replacement) {}

        final Map<NidKey, Long> omitted = new HashMap<>();
        final Map<NidKey, Replaced> replaced = new HashMap<>();
        final Map<Long, Long> done = new HashMap<>();
    }

    /** The snapshot with the fixes applied: a delta on it, or a full copy when an entry goes; once per snapshot. */
    private long completed(Connection c, long roomNid, long snapshot, StateFixes fixes) throws SQLException {
        if (snapshot == 0) {
            return 0;
        }
        Long known = fixes.done.get(snapshot);
        if (known != null) {
            return known;
        }
        Map<NidKey, Long> state = stateNids(c, snapshot, null);
        var changes = new HashMap<NidKey, Long>();
        fixes.omitted.forEach((key, nid) -> {
            if (!state.containsKey(key)) {
                changes.put(key, nid);
            }
        });
        boolean removes = false;
        for (var entry : fixes.replaced.entrySet()) {
            Long nid = state.get(entry.getKey());
            if (nid != null && nid == entry.getValue().rejected()) {
                if (entry.getValue().replacement() == null) {
                    removes = true;
                } else {
                    changes.put(entry.getKey(), entry.getValue().replacement());
                }
            }
        }
        long result;
        if (removes) {
            var full = new HashMap<>(state);
            full.putAll(changes);
            for (var entry : fixes.replaced.entrySet()) {
                if (entry.getValue().replacement() == null) {
                    full.remove(entry.getKey(), entry.getValue().rejected());
                }
            }
            result = insertSnapshot(c, roomNid, null, 0, full);
        } else {
            result = changes.isEmpty() ? snapshot : newSnapshot(c, roomNid, snapshot, changes);
        }
        fixes.done.put(snapshot, result);
        return result;
    }

    /**
     * Marks an event rejected after the fact: it is no extremity (its prev events are, if nothing else is left), no
     * relation, search entry or redaction, and its state entry gives way in later snapshots to what it replaced.
     */
    private void reject(Connection c, long roomNid, StoredEvent event, StateFixes fixes) throws SQLException {
        Jdbc.update(c, "UPDATE events SET rejected = TRUE WHERE event_nid = ?", event.nid());
        Jdbc.update(c, "DELETE FROM forward_extremities WHERE room_nid = ? AND event_nid = ?", roomNid, event.nid());
        if (Jdbc.queryOne(c, "SELECT COUNT(*) FROM forward_extremities WHERE room_nid = ?", row -> row.getLong(1),
                roomNid).orElseThrow() == 0) {
            for (String prev : prevEvents(event)) {
                Jdbc.update(c, """
                        INSERT INTO forward_extremities (room_nid, event_nid, event_id, depth)
                        SELECT room_nid, event_nid, event_id, depth FROM events WHERE event_id = ? AND room_nid = ? AND rejected = FALSE AND outlier = FALSE
                        AND event_nid NOT IN (SELECT event_nid FROM forward_extremities WHERE room_nid = ?)""",
                        prev, roomNid, roomNid);
            }
        }
        var writes = new DeferredWrites(c, database.dialect());
        SqlRelationStore.unindex(writes, event.eventId(), roomNid);
        SqlSearchStore.unindex(writes, database.dialect(), event.nid());
        writes.update("UPDATE events SET redacted_by = NULL WHERE redacted_by = ? AND room_nid = ?",
                event.eventId(), roomNid);
        writes.flush();
        if (event.stateAfter() != 0) {
            Map<NidKey, Long> after = stateNids(c, event.stateAfter(), null);
            Map<NidKey, Long> before = stateNids(c, event.stateBefore(), null);
            after.forEach((key, nid) -> {
                if (nid == event.nid()) {
                    fixes.replaced.put(key, new StateFixes.Replaced(event.nid(), before.get(key)));
                }
            });
            fixes.done.clear();
        }
    }

    private static List<String> prevEvents(StoredEvent event) {
        var prevs = new ArrayList<String>();
        try {
            dev.myelin.spec.json.MatrixJsonParser.LENIENT.parseObject(event.json()).path("prev_events")
                    .forEach(prev -> prevs.add(prev.isArray() ? prev.path(0).asText() : prev.asText()));
        } catch (dev.myelin.spec.json.InvalidJsonException e) {
            throw new IllegalStateException("stored event is not JSON: " + event.eventId(), e);
        }
        return prevs;
    }

    private static Long nullIfZero(long nid) {
        return nid == 0 ? null : nid;
    }

    @Override
    public List<String> partialStateServers(String roomId) {
        return database.read(c -> Jdbc.queryOne(c,
                "SELECT resync_servers FROM rooms WHERE room_id = ? AND partial_state = TRUE",
                row -> row.getString(1), roomId))
                .filter(servers -> servers != null && !servers.isBlank())
                .map(servers -> List.of(servers.split(" ")))
                .orElse(List.of());
    }

    @Override
    public List<String> partialStateRooms() {
        return database.read(c -> Jdbc.queryList(c, "SELECT room_id FROM rooms WHERE partial_state = TRUE",
                row -> row.getString(1)));
    }

    @Override
    public void recordRemoteMembership(String roomId, String roomVersion, EncodedPdu invite, byte[] inviteRoomState) {
        forgetting(List.of(roomId), () -> {
            var interned = new HashMap<String, Long>();
            var internedKeys = new HashMap<String, Long>();
            writeNumbered((c, numbering) -> {
                insertOutliers(c, numbering, roomId, roomVersion, invite.pdu().sender(), List.of(invite), interned,
                        internedKeys);
                StoredEvent stored = selectEvent(c, invite.eventId()).orElseThrow();
                upsertMembership(c, stored.roomNid(), invite.pdu().stateKey(),
                        invite.pdu().content().path("membership").asText("leave"), stored.nid());
                if (inviteRoomState != null) {
                    Jdbc.update(c, """
                            INSERT INTO invite_room_state (event_nid, json) VALUES (?, ?)
                            ON CONFLICT (event_nid) DO UPDATE SET json = excluded.json""", stored.nid(), inviteRoomState);
                }
                return null;
            });
            typeNids.putAll(interned);
            stateKeyNids.putAll(internedKeys);
            return null;
        });
    }

    @Override
    public Optional<byte[]> inviteRoomState(long eventNid) {
        return database.read(c -> Jdbc.queryOne(c, "SELECT json FROM invite_room_state WHERE event_nid = ?",
                row -> row.getBytes(1), eventNid));
    }

    private static long intern(Connection c, String table, String column, String nidColumn, Map<String, Long> cache,
                               Map<String, Long> fresh, String value) throws SQLException {
        Long cached = cache.get(value);
        if (cached != null) {
            return cached;
        }
        Jdbc.update(c, "INSERT INTO " + table + " (" + column + ") VALUES (?) ON CONFLICT (" + column
                + ") DO NOTHING", value);
        long nid = Jdbc.queryOne(c, "SELECT " + nidColumn + " FROM " + table + " WHERE " + column + " = ?",
                row -> row.getLong(1), value).orElseThrow();
        fresh.put(value, nid);
        return nid;
    }

    /**
     * A snapshot that is {@code parent} with the given entries set. Usually a one-entry delta on the parent. When the chain
     * reaches {@link #maxChainLength}, it is rebased instead: a snapshot on the chain's full root holding every entry
     * the chain changed (so a big room does not copy its whole state every few changes), or, once that cumulative
     * delta is more than half the root's size, a new full snapshot.
     */
    private long newSnapshot(Connection c, long roomNid, long parent, Map<NidKey, Long> changes)
            throws SQLException {
        int parentChain = parent == 0 ? -1 : Jdbc.queryOne(c,
                "SELECT chain_length FROM state_snapshots WHERE snapshot_nid = ?", row -> row.getInt(1), parent)
                .orElseThrow();
        Long newParent;
        int chainLength;
        Map<NidKey, Long> entries = new LinkedHashMap<>();
        if (parent == 0) {
            newParent = null;
            chainLength = 0;
        } else if (parentChain + 1 < maxChainLength) {
            newParent = parent;
            chainLength = parentChain + 1;
        } else {
            long root = Jdbc.queryOne(c, CHAIN + "SELECT snapshot_nid FROM chain WHERE parent_nid IS NULL",
                    row -> row.getLong(1), parent).orElseThrow();
            long rootSize = Jdbc.queryOne(c, "SELECT COUNT(*) FROM state_snapshot_entries WHERE snapshot_nid = ?",
                    row -> row.getLong(1), root).orElseThrow();
            Map<NidKey, Long> changed = stateNids(c, parent, "chain.parent_nid IS NOT NULL");
            changed.putAll(changes);
            if (changed.size() * 2L > rootSize) {
                newParent = null;
                chainLength = 0;
                entries.putAll(stateNids(c, parent, null));
            } else {
                newParent = root;
                chainLength = 1;
                entries.putAll(changed);
            }
        }
        entries.putAll(changes);
        return insertSnapshot(c, roomNid, newParent, chainLength, entries);
    }

    private static long insertSnapshot(Connection c, long roomNid, Long parent, int chainLength,
                                       Map<NidKey, Long> entries) throws SQLException {
        long snapshot = Jdbc.queryOne(c, """
                INSERT INTO state_snapshots (room_nid, parent_nid, chain_length) VALUES (?, ?, ?)
                RETURNING snapshot_nid""", row -> row.getLong(1), roomNid, parent, chainLength).orElseThrow();
        try (var insert = c.prepareStatement("""
                INSERT INTO state_snapshot_entries (snapshot_nid, type_nid, state_key_nid, event_nid)
                VALUES (?, ?, ?, ?)""")) {
            for (var entry : entries.entrySet()) {
                insert.setLong(1, snapshot);
                insert.setLong(2, entry.getKey().type());
                insert.setLong(3, entry.getKey().stateKey());
                insert.setLong(4, entry.getValue());
                insert.addBatch();
            }
            insert.executeBatch();
        }
        return snapshot;
    }

    private static final String CHAIN = """
            WITH RECURSIVE chain (snapshot_nid, parent_nid, pos) AS (
                SELECT snapshot_nid, parent_nid, 0 FROM state_snapshots WHERE snapshot_nid = ?
                UNION ALL
                SELECT s.snapshot_nid, s.parent_nid, chain.pos + 1
                FROM state_snapshots s JOIN chain ON s.snapshot_nid = chain.parent_nid)
            """;

    /** The snapshot's entries as nids; {@code filter} is an extra SQL condition on se.type_nid/se.state_key_nid. */
    private static Map<NidKey, Long> stateNids(Connection c, long snapshot, String filter, Object... params)
            throws SQLException {
        var all = new ArrayList<Object>();
        all.add(snapshot);
        all.addAll(List.of(params));
        List<long[]> rows = Jdbc.queryList(c, CHAIN + """
                SELECT se.type_nid, se.state_key_nid, se.event_nid, chain.pos FROM chain
                JOIN state_snapshot_entries se ON se.snapshot_nid = chain.snapshot_nid
                """ + (filter == null ? "" : " WHERE " + filter) + " ORDER BY chain.pos DESC",
                row -> new long[]{row.getLong(1), row.getLong(2), row.getLong(3)}, all.toArray());
        var map = new HashMap<NidKey, Long>(rows.size() * 2);
        for (long[] row : rows) {
            map.put(new NidKey(row[0], row[1]), row[2]);
        }
        return map;
    }

    private Map<StateKey, StoredEvent> resolve(Connection c, Map<NidKey, Long> nids) throws SQLException {
        var result = new HashMap<StateKey, StoredEvent>(nids.size() * 2);
        var eventNids = new ArrayList<>(nids.values());
        for (int i = 0; i < eventNids.size(); i += 500) {
            List<Long> chunk = eventNids.subList(i, Math.min(eventNids.size(), i + 500));
            String marks = Jdbc.marks(chunk.size());
            List<Object[]> rows = Jdbc.queryList(c, "SELECT " + EVENT_COLUMNS + ", t.type, k.state_key FROM events e"
                    + " JOIN event_types t ON t.type_nid = e.type_nid"
                    + " JOIN state_keys k ON k.state_key_nid = e.state_key_nid"
                    + " WHERE e.event_nid IN (" + marks + ")",
                    row -> new Object[]{storedEvent(row), row.getString("type"), row.getString("state_key")},
                    chunk.toArray());
            for (Object[] row : rows) {
                result.put(new StateKey((String) row[1], (String) row[2]), (StoredEvent) row[0]);
            }
        }
        return result;
    }

    @Override
    public Map<StateKey, StoredEvent> state(long snapshotNid) {
        if (snapshotNid == 0) {
            return Map.of();
        }
        return database.read(c -> resolve(c, stateNids(c, snapshotNid, null)));
    }

    @Override
    public Map<StateKey, StoredEvent> state(long snapshotNid, Collection<StateKey> keys) {
        if (snapshotNid == 0 || keys.isEmpty()) {
            return Map.of();
        }
        return database.read(c -> stateIn(c, snapshotNid, keys));
    }

    private Map<StateKey, StoredEvent> stateIn(Connection c, long snapshotNid, Collection<StateKey> keys)
            throws SQLException {
        var conditions = new ArrayList<String>();
        var params = new ArrayList<Object>();
        for (StateKey key : keys) {
            Long type = lookupNid(c, "event_types", "type", "type_nid", typeNids, key.type());
            Long stateKey = lookupNid(c, "state_keys", "state_key", "state_key_nid", stateKeyNids, key.stateKey());
            if (type != null && stateKey != null) {
                conditions.add("(se.type_nid = ? AND se.state_key_nid = ?)");
                params.add(type);
                params.add(stateKey);
            }
        }
        if (snapshotNid == 0 || conditions.isEmpty()) {
            return Map.of();
        }
        return resolve(c, stateNids(c, snapshotNid, String.join(" OR ", conditions), params.toArray()));
    }

    @Override
    public Map<StateKey, StoredEvent> stateOfTypes(long snapshotNid, Set<String> types) {
        if (snapshotNid == 0 || types.isEmpty()) {
            return Map.of();
        }
        return database.read(c -> {
            var nids = new ArrayList<Object>();
            for (String type : types) {
                Long nid = lookupNid(c, "event_types", "type", "type_nid", typeNids, type);
                if (nid != null) {
                    nids.add(nid);
                }
            }
            if (nids.isEmpty()) {
                return Map.of();
            }
            String marks = Jdbc.marks(nids.size());
            return resolve(c, stateNids(c, snapshotNid, "se.type_nid IN (" + marks + ")", nids.toArray()));
        });
    }

    private static Long lookupNid(Connection c, String table, String column, String nidColumn,
                                  Map<String, Long> cache, String value) throws SQLException {
        Long cached = cache.get(value);
        if (cached != null) {
            return cached;
        }
        Optional<Long> nid = Jdbc.queryOne(c, "SELECT " + nidColumn + " FROM " + table + " WHERE " + column + " = ?",
                row -> row.getLong(1), value);
        nid.ifPresent(n -> cache.put(value, n));
        return nid.orElse(null);
    }

    @Override
    public Optional<StoredEvent> event(String eventId) {
        return database.read(c -> selectEvent(c, eventId));
    }

    @Override
    public Optional<StoredEvent> event(long eventNid) {
        return database.read(c -> Jdbc.queryOne(c, "SELECT " + EVENT_COLUMNS + " FROM events e WHERE e.event_nid = ?",
                SqlRoomStore::storedEvent, eventNid));
    }

    @Override
    public Map<Long, StoredEvent> events(Collection<Long> eventNids) {
        var nids = List.copyOf(eventNids);
        return database.read(c -> {
            var found = new HashMap<Long, StoredEvent>();
            for (int i = 0; i < nids.size(); i += 500) {
                List<Long> chunk = nids.subList(i, Math.min(nids.size(), i + 500));
                Jdbc.queryList(c, "SELECT " + EVENT_COLUMNS + " FROM events e WHERE e.event_nid IN ("
                        + Jdbc.marks(chunk.size()) + ")",
                        SqlRoomStore::storedEvent, chunk.toArray()).forEach(event -> found.put(event.nid(), event));
            }
            return found;
        });
    }

    @Override
    public Optional<TxnKey> txnOf(String eventId) {
        return database.read(c -> Jdbc.queryOne(c,
                "SELECT user_id, device_id, scope, txn_id FROM event_txn_ids WHERE event_id = ?",
                row -> new TxnKey(row.getString(1), row.getString(2), row.getString(3), row.getString(4)), eventId));
    }

    @Override
    public List<String> forwardExtremities(long roomNid) {
        return database.read(c -> Jdbc.queryList(c, """
                SELECT event_id FROM forward_extremities WHERE room_nid = ? ORDER BY event_nid""",
                row -> row.getString(1), roomNid));
    }

    @Override
    public Optional<RoomEnd> roomEnd(String roomId) {
        Optional<RoomEnd> known = knownEnds.get(roomId);
        if (known.isPresent()) {
            return known;
        }
        return database.readOneStatement(c -> {
            try (var statement = c.prepareStatement("""
                    SELECT r.*, f.event_id AS extremity, f.depth AS extremity_depth
                    FROM rooms r LEFT JOIN forward_extremities f ON f.room_nid = r.room_nid WHERE r.room_id = ?
                    ORDER BY f.event_nid""")) {
                statement.setString(1, roomId);
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.empty();
                    }
                    Room room = roomRow(rows);
                    var ids = new ArrayList<String>();
                    long depth = 0;
                    do {
                        String extremity = rows.getString("extremity");
                        if (extremity != null) {
                            ids.add(extremity);
                            depth = Math.max(depth, rows.getLong("extremity_depth"));
                        }
                    } while (rows.next());
                    return Optional.of(new RoomEnd(room, new Extremities(List.copyOf(ids), depth)));
                }
            }
        });
    }

    @Override
    public Map<TxnKey, String> sentBefore(Collection<TxnKey> txns) {
        if (txns.isEmpty()) {
            return Map.of();
        }
        List<TxnKey> keys = List.copyOf(txns);
        var params = new ArrayList<Object>();
        for (TxnKey key : keys) {
            params.addAll(List.of(key.userId(), key.deviceId(), key.scope(), key.txnId()));
        }
        String match = String.join(" OR ",
                java.util.Collections.nCopies(keys.size(), "(user_id = ? AND device_id = ? AND scope = ? AND txn_id = ?)"));
        return database.read(c -> {
            var found = new HashMap<TxnKey, String>();
            for (Object[] row : Jdbc.queryList(c, "SELECT user_id, device_id, scope, txn_id, event_id FROM event_txn_ids"
                    + " WHERE " + match, row -> new Object[] {new TxnKey(row.getString(1), row.getString(2),
                    row.getString(3), row.getString(4)), row.getString(5)}, params.toArray())) {
                found.put((TxnKey) row[0], (String) row[1]);
            }
            return Map.copyOf(found);
        });
    }

    @Override
    public Extremities extremities(long roomNid) {
        List<Object[]> rows = database.read(c -> Jdbc.queryList(c, """
                SELECT event_id, depth FROM forward_extremities WHERE room_nid = ? ORDER BY event_nid""",
                row -> new Object[]{row.getString(1), row.getLong(2)}, roomNid));
        long depth = 0;
        var ids = new ArrayList<String>(rows.size());
        for (Object[] row : rows) {
            ids.add((String) row[0]);
            depth = Math.max(depth, (Long) row[1]);
        }
        return new Extremities(List.copyOf(ids), depth);
    }

    @Override
    public List<StoredEvent> timeline(long roomNid, long from, long to, boolean backwards, int limit) {
        String sql = "SELECT " + EVENT_COLUMNS + " FROM events e WHERE e.room_nid = ? AND e.rejected = FALSE"
                + " AND e.soft_failed = FALSE AND e.outlier = FALSE AND "
                + (backwards ? "e.stream_pos <= ? AND e.stream_pos > ? ORDER BY e.stream_pos DESC"
                             : "e.stream_pos > ? AND e.stream_pos <= ? ORDER BY e.stream_pos ASC")
                + " LIMIT ?";
        return database.read(c -> Jdbc.queryList(c, sql, SqlRoomStore::storedEvent, roomNid, from, to, limit));
    }

    @Override
    public List<StoredEvent> closestByTimestamp(long roomNid, long ts, boolean forwards, int limit) {
        String sql = "SELECT " + EVENT_COLUMNS + " FROM events e WHERE e.room_nid = ? AND e.rejected = FALSE"
                + " AND e.soft_failed = FALSE AND "
                + (forwards ? "e.origin_server_ts >= ? ORDER BY e.origin_server_ts ASC, e.stream_pos ASC"
                            : "e.origin_server_ts <= ? ORDER BY e.origin_server_ts DESC, e.stream_pos DESC")
                + " LIMIT ?";
        return database.read(c -> Jdbc.queryList(c, sql, SqlRoomStore::storedEvent, roomNid, ts, limit));
    }

    private static Membership membershipRow(ResultSet row) throws SQLException {
        return new Membership(row.getString("room_id"), row.getString("user_id"), row.getString("membership"),
                row.getLong("event_nid"), row.getLong("stream_pos"), row.getBoolean("forgotten"));
    }

    private static final String MEMBERSHIP_SELECT = """
            SELECT r.room_id, m.user_id, m.membership, m.event_nid, e.stream_pos, m.forgotten
            FROM room_memberships m JOIN rooms r ON r.room_nid = m.room_nid
            JOIN events e ON e.event_nid = m.event_nid""";

    @Override
    public Set<String> roomsWithEventsBetween(long after, long upTo) {
        return database.read(c -> new java.util.HashSet<>(Jdbc.queryList(c, """
                SELECT DISTINCT r.room_id FROM events e JOIN rooms r ON r.room_nid = e.room_nid
                WHERE e.stream_pos > ? AND e.stream_pos <= ?""", row -> row.getString(1), after, upTo)));
    }

    @Override
    public List<Membership> membershipsOf(String userId) {
        return database.read(c -> Jdbc.queryList(c, MEMBERSHIP_SELECT + " WHERE m.user_id = ? ORDER BY r.room_nid",
                SqlRoomStore::membershipRow, userId));
    }

    @Override
    public Optional<Membership> membership(String roomId, String userId) {
        return database.read(c -> Jdbc.queryOne(c, MEMBERSHIP_SELECT + " WHERE r.room_id = ? AND m.user_id = ?",
                SqlRoomStore::membershipRow, roomId, userId));
    }

    @Override
    public List<Membership> members(String roomId, String membership) {
        return database.read(c -> Jdbc.queryList(c, MEMBERSHIP_SELECT
                        + " WHERE r.room_id = ? AND m.membership = ? ORDER BY m.user_id",
                SqlRoomStore::membershipRow, roomId, membership));
    }

    @Override
    public boolean forget(String roomId, String userId) {
        return database.write(c -> Jdbc.update(c, """
                UPDATE room_memberships SET forgotten = TRUE
                WHERE room_nid = (SELECT room_nid FROM rooms WHERE room_id = ?) AND user_id = ?
                AND membership IN ('leave', 'ban')""", roomId, userId) > 0);
    }

    @Override
    public long currentStreamPos() {
        return database.eventsStream().current();
    }

    @Override
    public boolean createAlias(String alias, String roomId, String creator) {
        return database.write(c -> Jdbc.update(c, """
                INSERT INTO room_aliases (alias, room_id, creator) VALUES (?, ?, ?)
                ON CONFLICT (alias) DO NOTHING""", alias, roomId, creator) > 0);
    }

    @Override
    public Optional<String> aliasRoom(String alias) {
        return database.read(c -> Jdbc.queryOne(c, "SELECT room_id FROM room_aliases WHERE alias = ?",
                row -> row.getString(1), alias));
    }

    @Override
    public Optional<String> aliasCreator(String alias) {
        return database.read(c -> Jdbc.queryOne(c, "SELECT creator FROM room_aliases WHERE alias = ?",
                row -> row.getString(1), alias));
    }

    @Override
    public boolean deleteAlias(String alias) {
        return database.write(c -> Jdbc.update(c, "DELETE FROM room_aliases WHERE alias = ?", alias) > 0);
    }

    @Override
    public List<String> aliasesOf(String roomId) {
        return database.read(c -> Jdbc.queryList(c, "SELECT alias FROM room_aliases WHERE room_id = ? ORDER BY alias",
                row -> row.getString(1), roomId));
    }

    @Override
    public void setPublished(String roomId, boolean published) {
        forgetting(List.of(roomId), () -> {
            database.write(c -> Jdbc.update(c, "UPDATE rooms SET published = ? WHERE room_id = ?", published, roomId));
            return null;
        });
    }

    @Override
    public List<Room> publishedRooms() {
        return database.read(c -> Jdbc.queryList(c, "SELECT * FROM rooms WHERE published = TRUE ORDER BY room_nid",
                SqlRoomStore::roomRow));
    }
}
