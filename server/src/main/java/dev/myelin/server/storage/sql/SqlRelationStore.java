package dev.myelin.server.storage.sql;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.storage.RelationStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.spec.event.Pdu;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The relation index in SQL ({@code event_relations}, see {@code V5__relations.sql}). */
public final class SqlRelationStore implements RelationStore {
    private final Database database;

    public SqlRelationStore(Database database) {
        this.database = database;
    }

    /**
     * Indexes an event being persisted when its content has an {@code m.relates_to} with a {@code rel_type} and an
     * {@code event_id} (a reply without a thread has neither and is not a relation).
     */
    static void index(DeferredWrites writes, long roomNid, long eventNid, long streamPos, Pdu pdu)
            throws SQLException {
        JsonNode relatesTo = pdu.content().get("m.relates_to");
        if (relatesTo == null || !relatesTo.path("rel_type").isTextual() || !relatesTo.path("event_id").isTextual()) {
            return;
        }
        String relType = relatesTo.get("rel_type").asText();
        String key = "m.annotation".equals(relType) && relatesTo.path("key").isTextual()
                ? relatesTo.get("key").asText() : null;
        writes.update("""
                INSERT INTO event_relations (event_nid, event_id, room_nid, parent_id, rel_type, event_type, sender,
                                             stream_pos, origin_server_ts, annotation_key)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", eventNid, pdu.eventId(), roomNid,
                relatesTo.get("event_id").asText(), relType, pdu.type(), pdu.sender(), streamPos,
                pdu.originServerTs(), key);
    }

    /** A redacted event no longer relates to anything (redaction removes m.relates_to from its content). */
    static void unindex(DeferredWrites writes, String redactedEventId, long roomNid) throws SQLException {
        writes.update("DELETE FROM event_relations WHERE event_id = ? AND room_nid = ?", redactedEventId, roomNid);
    }

    private static Relation relation(ResultSet row) throws SQLException {
        return new Relation(row.getString("event_id"), row.getString("parent_id"), row.getString("rel_type"),
                row.getString("event_type"), row.getString("sender"), row.getLong("stream_pos"),
                row.getLong("origin_server_ts"));
    }

    @Override
    public Optional<Relation> relationOf(String eventId) {
        return database.read(c -> Jdbc.queryOne(c, "SELECT * FROM event_relations WHERE event_id = ?",
                SqlRelationStore::relation, eventId));
    }

    @Override
    public List<StoredEvent> children(long roomNid, Collection<String> parentIds, String relType, String eventType,
                                      long from, long to, boolean backwards, int limit) {
        if (parentIds.isEmpty()) {
            return List.of();
        }
        var sql = new StringBuilder("SELECT " + SqlRoomStore.EVENT_COLUMNS + """
                 FROM event_relations r JOIN events e ON e.event_nid = r.event_nid
                WHERE r.room_nid = ? AND r.parent_id IN (%s)""".formatted(Jdbc.marks(parentIds.size())));
        var params = new ArrayList<Object>();
        params.add(roomNid);
        params.addAll(parentIds);
        if (relType != null) {
            sql.append(" AND r.rel_type = ?");
            params.add(relType);
        }
        if (eventType != null) {
            sql.append(" AND r.event_type = ?");
            params.add(eventType);
        }
        sql.append(backwards ? " AND r.stream_pos <= ? AND r.stream_pos > ? ORDER BY r.stream_pos DESC"
                : " AND r.stream_pos > ? AND r.stream_pos <= ? ORDER BY r.stream_pos ASC");
        params.add(from);
        params.add(to);
        sql.append(" LIMIT ?");
        params.add(limit);
        return database.read(c -> Jdbc.queryList(c, sql.toString(), SqlRoomStore::storedEvent, params.toArray()));
    }

    @Override
    public Map<String, Set<String>> relTypesOf(long roomNid, Collection<String> parentIds,
                                               Collection<String> relTypes) {
        if (parentIds.isEmpty() || relTypes.isEmpty()) {
            return Map.of();
        }
        var params = new ArrayList<Object>(parentIds);
        params.addAll(relTypes);
        params.add(roomNid);
        return database.read(c -> {
            var found = new HashMap<String, Set<String>>();
            Jdbc.query(c, "SELECT DISTINCT parent_id, rel_type FROM event_relations WHERE parent_id IN ("
                    + Jdbc.marks(parentIds.size()) + ") AND rel_type IN (" + Jdbc.marks(relTypes.size()) + ") AND room_nid = ?",
                    row -> found.computeIfAbsent(row.getString(1), _ -> new HashSet<>()).add(row.getString(2)),
                    params.toArray());
            return found;
        });
    }

    @Override
    public List<Relation> relationsTo(long roomNid, Collection<String> parentIds, String relType) {
        if (parentIds.isEmpty()) {
            return List.of();
        }
        var params = new ArrayList<Object>();
        params.add(roomNid);
        params.addAll(parentIds);
        if (relType != null) {
            params.add(relType);
        }
        return database.read(c -> Jdbc.queryList(c, "SELECT * FROM event_relations WHERE room_nid = ?"
                        + " AND parent_id IN (" + Jdbc.marks(parentIds.size()) + ")"
                        + (relType == null ? "" : " AND rel_type = ?") + " ORDER BY stream_pos",
                SqlRelationStore::relation, params.toArray()));
    }

    @Override
    public Map<String, ThreadSummary> threads(long roomNid, Collection<String> rootIds, String userId,
                                              Set<String> ignoredSenders) {
        if (rootIds.isEmpty()) {
            return Map.of();
        }
        var params = new ArrayList<Object>();
        params.add(userId);
        params.add(roomNid);
        params.addAll(rootIds);
        params.addAll(ignoredSenders);
        String sql = """
                SELECT parent_id, COUNT(*) AS replies, MAX(stream_pos) AS latest,
                       MAX(CASE WHEN sender = ? THEN 1 ELSE 0 END) AS replied
                FROM event_relations WHERE room_nid = ? AND rel_type = 'm.thread' AND parent_id IN (%s)%s
                GROUP BY parent_id""".formatted(Jdbc.marks(rootIds.size()),
                ignoredSenders.isEmpty() ? "" : " AND sender NOT IN (" + Jdbc.marks(ignoredSenders.size()) + ")");
        return database.read(c -> {
            record Row(String root, long count, long latest, boolean replied) {}
            List<Row> rows = Jdbc.queryList(c, sql, row -> new Row(row.getString("parent_id"), row.getLong("replies"),
                    row.getLong("latest"), row.getInt("replied") == 1), params.toArray());
            var result = new HashMap<String, ThreadSummary>();
            for (Row row : rows) {
                String latest = Jdbc.queryOne(c, "SELECT event_id FROM event_relations WHERE stream_pos = ?",
                        r -> r.getString(1), row.latest()).orElseThrow();
                result.put(row.root(), new ThreadSummary(row.root(), row.count(), latest, row.replied()));
            }
            return result;
        });
    }

    @Override
    public List<ThreadRoot> threadRoots(long roomNid, long before, int limit) {
        return database.read(c -> Jdbc.queryList(c, """
                SELECT parent_id, MAX(stream_pos) AS latest FROM event_relations
                WHERE room_nid = ? AND rel_type = 'm.thread'
                GROUP BY parent_id HAVING MAX(stream_pos) < ? ORDER BY latest DESC LIMIT ?""",
                row -> new ThreadRoot(row.getString("parent_id"), row.getLong("latest")), roomNid, before, limit));
    }

    @Override
    public boolean hasAnnotation(long roomNid, String parentId, String sender, String eventType, String key) {
        return database.read(c -> Jdbc.queryOne(c, """
                SELECT 1 FROM event_relations WHERE room_nid = ? AND parent_id = ? AND rel_type = 'm.annotation'
                AND sender = ? AND event_type = ? AND annotation_key = ?""", row -> true,
                roomNid, parentId, sender, eventType, key).isPresent());
    }
}
