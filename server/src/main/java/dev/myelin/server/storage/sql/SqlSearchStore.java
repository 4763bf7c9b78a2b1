package dev.myelin.server.storage.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.myelin.server.storage.SearchStore;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The search index in {@code event_search}: an FTS5 table on SQLite (rowid = event nid, ranked by bm25) and a
 * tsvector column with a GIN index on PostgreSQL (ranked by ts_rank); both stem English words. Search terms are
 * split into words that must all match; FTS5 and tsquery operators in them are not interpreted.
 */
public final class SqlSearchStore implements SearchStore {
    private static final JsonMapper JSON = new JsonMapper();
    /** Counting stops here: the spec's count is approximate, and counting every match of a common word is slow. */
    static final int MAX_COUNT = 1_000;

    private final Database database;

    public SqlSearchStore(Database database) {
        this.database = database;
    }

    /** The searchable key and text of an event, if it has one. */
    private static Optional<String[]> searchable(String type, JsonNode content) {
        String key = switch (type) {
            case "m.room.message" -> BODY;
            case "m.room.name" -> NAME;
            case "m.room.topic" -> TOPIC;
            default -> null;
        };
        if (key == null) {
            return Optional.empty();
        }
        JsonNode text = content.path(key.substring("content.".length()));
        return text.isTextual() && !text.asText().isBlank()
                ? Optional.of(new String[]{key, text.asText()}) : Optional.empty();
    }

    /** Indexes an event as it is persisted (in its transaction); a redaction drops the event it redacts. */
    static void onRoomEvent(Connection c, Dialect dialect, long roomNid, long eventNid, String type, JsonNode content,
                            String redacts) throws SQLException {
        if ("m.room.redaction".equals(type) && redacts != null) {
            Jdbc.update(c, "DELETE FROM event_search WHERE " + nidColumn(dialect)
                    + " = (SELECT event_nid FROM events WHERE event_id = ?)", redacts);
            return;
        }
        Optional<String[]> searchable = searchable(type, content);
        if (searchable.isPresent()) {
            insert(c, dialect, roomNid, eventNid, searchable.get()[0], searchable.get()[1]);
        }
    }

    private static void insert(Connection c, Dialect dialect, long roomNid, long eventNid, String key, String text)
            throws SQLException {
        String clean = text.replace('\0', ' ');
        switch (dialect) {
            case SQLITE -> Jdbc.update(c, "INSERT INTO event_search (rowid, value, key, room_nid) VALUES (?, ?, ?, ?)",
                    eventNid, clean, key, roomNid);
            case POSTGRES -> Jdbc.update(c, """
                    INSERT INTO event_search (event_nid, room_nid, key, vector)
                    VALUES (?, ?, ?, to_tsvector('english', ?)) ON CONFLICT (event_nid) DO NOTHING""",
                    eventNid, roomNid, key, clean);
        }
    }

    private static String nidColumn(Dialect dialect) {
        return dialect == Dialect.SQLITE ? "rowid" : "event_nid";
    }

    /** The term as an FTS5 query: every word quoted (so nothing in it is an operator), all required. */
    static String ftsQuery(String term) {
        var words = new ArrayList<String>();
        for (String word : term.split("[\\s\"]+")) {
            if (!word.isBlank()) {
                words.add("\"" + word + "\"");
            }
        }
        return String.join(" ", words);
    }

    private record Query(String where, List<Object> params) {}

    private Query where(Collection<Long> roomNids, Set<String> keys, String term) {
        Dialect dialect = database.dialect();
        var params = new ArrayList<Object>();
        var sql = new StringBuilder(dialect == Dialect.SQLITE ? "event_search MATCH ?"
                : "event_search.vector @@ plainto_tsquery('english', ?)");
        params.add(dialect == Dialect.SQLITE ? ftsQuery(term) : term);
        sql.append(" AND event_search.room_nid IN (").append(marks(roomNids.size())).append(")");
        params.addAll(roomNids);
        // Every indexed key is one of the three: asking for all needs no filter (nor FTS5 content reads).
        if (!keys.containsAll(Set.of(BODY, NAME, TOPIC))) {
            sql.append(" AND event_search.key IN (").append(marks(keys.size())).append(")");
            params.addAll(keys);
        }
        return new Query(sql.toString(), params);
    }

    private static String marks(int n) {
        return String.join(",", Collections.nCopies(n, "?"));
    }

    private static boolean empty(Collection<Long> roomNids, Set<String> keys, String term) {
        return roomNids.isEmpty() || keys.isEmpty() || ftsQuery(term).isEmpty();
    }

    @Override
    public List<Hit> search(Collection<Long> roomNids, Set<String> keys, String term, Order order, long before,
                            int skip, int limit) {
        if (empty(roomNids, keys, term)) {
            return List.of();
        }
        Dialect dialect = database.dialect();
        Query where = where(roomNids, keys, term);
        var params = new ArrayList<Object>();
        // FTS5's rank column is bm25 (lower is better); ts_rank is higher for better matches.
        String score = dialect == Dialect.SQLITE ? "-rank" : "ts_rank(event_search.vector, plainto_tsquery('english', ?))";
        if (dialect == Dialect.POSTGRES) {
            params.add(term);
        }
        String nid = "event_search." + nidColumn(dialect);
        // Only the index is read: the events table is not joined, so a common word costs one pass over its matches.
        var sql = new StringBuilder("SELECT " + nid + ", event_search.room_nid, " + score + " AS score"
                + " FROM event_search WHERE " + where.where());
        params.addAll(where.params());
        if (order == Order.RECENT) {
            // By event nid, which follows the order events were stored in: FTS5 walks its rowids backwards and
            // stops at the limit instead of sorting every match.
            if (before > 0) {
                sql.append(" AND ").append(nid).append(" < ?");
                params.add(before);
            }
            sql.append(" ORDER BY ").append(nid).append(" DESC LIMIT ?");
            params.add(limit);
        } else {
            sql.append(dialect == Dialect.SQLITE ? " ORDER BY rank, " : " ORDER BY score DESC, ")
                    .append(nid).append(" DESC LIMIT ? OFFSET ?");
            params.add(limit);
            params.add(skip);
        }
        return database.read(c -> Jdbc.queryList(c, sql.toString(), row -> new Hit(row.getLong(1), row.getLong(2),
                row.getDouble(3)), params.toArray()));
    }

    @Override
    public long count(Collection<Long> roomNids, Set<String> keys, String term) {
        if (empty(roomNids, keys, term)) {
            return 0;
        }
        Query where = where(roomNids, keys, term);
        var params = new ArrayList<>(where.params());
        params.add(MAX_COUNT);
        return database.read(c -> Jdbc.queryOne(c, "SELECT COUNT(*) FROM (SELECT 1 FROM event_search WHERE "
                + where.where() + " LIMIT ?) matches", row -> row.getLong(1), params.toArray()).orElse(0L));
    }

    @Override
    public boolean backfill(int batch) {
        Dialect dialect = database.dialect();
        return database.write(c -> {
            Optional<long[]> range = Jdbc.queryOne(c,
                    "SELECT next_event_nid, last_event_nid FROM event_search_backfill",
                    row -> new long[]{row.getLong(1), row.getLong(2)});
            if (range.isEmpty()) {
                return false;
            }
            long next = range.get()[0];
            long last = range.get()[1];
            List<Object[]> rows = Jdbc.queryList(c, """
                    SELECT e.event_nid, e.room_nid, e.json FROM events e
                    WHERE e.event_nid >= ? AND e.event_nid <= ? AND e.rejected = FALSE AND e.redacted_by IS NULL
                    ORDER BY e.event_nid LIMIT ?""",
                    row -> new Object[]{row.getLong(1), row.getLong(2), row.getBytes(3)}, next, last, batch);
            for (Object[] row : rows) {
                try {
                    JsonNode event = JSON.readTree((byte[]) row[2]);
                    Optional<String[]> searchable = searchable(event.path("type").asText(), event.path("content"));
                    if (searchable.isPresent()) {
                        insert(c, dialect, (long) row[1], (long) row[0], searchable.get()[0], searchable.get()[1]);
                    }
                } catch (IOException unreadable) {
                    // Stored events were valid JSON when stored; one that is not is simply not searchable.
                }
            }
            if (rows.size() < batch) {
                Jdbc.update(c, "DELETE FROM event_search_backfill");
                return false;
            }
            long reached = (long) rows.getLast()[0] + 1;
            Jdbc.update(c, "UPDATE event_search_backfill SET next_event_nid = ?", reached);
            return true;
        });
    }
}
