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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The search index in {@code event_search}: an FTS5 table on SQLite (rowid = event nid, ranked by bm25) and a
 * tsvector column with a GIN index on PostgreSQL (ranked by ts_rank); both stem English words. Search terms are
 * split into words that must all match; FTS5 and tsquery operators in them are not interpreted.
 *
 * <p>On SQLite the room and key of each row are also a token of the indexed column {@code scope} ("r42b": room nid
 * 42, key content.body), so the room and key filter is part of the full-text query: FTS5 intersects the word's
 * posting list with the searcher's rooms' instead of reading the room from the content table for every match of
 * the word in the whole index.
 *
 * <p>Rank order scores only the newest {@link #RANK_WINDOW} matches: scoring every match of a very common word
 * (tens of thousands in a large room) costs hundreds of milliseconds, so a search for one ranks among its recent
 * matches. Below that many matches the ranking is exact.
 */
public final class SqlSearchStore implements SearchStore {
    private static final JsonMapper JSON = new JsonMapper();
    /** Counting stops here: the spec's count is approximate, and counting every match of a common word is slow. */
    static final int MAX_COUNT = 1_000;
    /** Rank order scores at most this many of the newest matches. */
    static final int RANK_WINDOW = 1_000;

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

    /** Drops an event from the index (an event rejected after it was indexed). */
    static void unindex(Connection c, Dialect dialect, long eventNid) throws SQLException {
        Jdbc.update(c, "DELETE FROM event_search WHERE " + nidColumn(dialect) + " = ?", eventNid);
    }

    private static void insert(Connection c, Dialect dialect, long roomNid, long eventNid, String key, String text)
            throws SQLException {
        String clean = text.replace('\0', ' ');
        switch (dialect) {
            case SQLITE -> Jdbc.update(c, "INSERT INTO event_search (rowid, value, room_nid, scope) VALUES (?, ?, ?, ?)",
                    eventNid, clean, roomNid, scopeToken(roomNid, key));
            case POSTGRES -> Jdbc.update(c, """
                    INSERT INTO event_search (event_nid, room_nid, key, vector)
                    VALUES (?, ?, ?, to_tsvector('english', ?)) ON CONFLICT (event_nid) DO NOTHING""",
                    eventNid, roomNid, key, clean);
        }
    }

    private static String nidColumn(Dialect dialect) {
        return dialect == Dialect.SQLITE ? "rowid" : "event_nid";
    }

    /**
     * The FTS5 token of a room and key in the {@code scope} column: "r", the room nid and the key's letter. V19
     * computes the same for the rows it re-indexes.
     */
    static String scopeToken(long roomNid, String key) {
        return "r" + roomNid + switch (key) {
            case BODY -> "b";
            case NAME -> "n";
            default -> "t";
        };
    }

    /** The term's words quoted (so nothing in them is an operator), all required. */
    static String ftsWords(String term) {
        var words = new ArrayList<String>();
        for (String word : term.split("[\\s\"]+")) {
            if (!word.isBlank()) {
                words.add("\"" + word + "\"");
            }
        }
        return String.join(" ", words);
    }

    /** The FTS5 query: every word of the term in the text, and one of the rooms' and keys' scope tokens. */
    static String ftsQuery(String term, Collection<Long> roomNids, Set<String> keys) {
        var scopes = new ArrayList<String>();
        for (long roomNid : roomNids) {
            for (String key : keys) {
                scopes.add("\"" + scopeToken(roomNid, key) + "\"");
            }
        }
        return "value : (" + ftsWords(term) + ") AND scope : (" + String.join(" OR ", scopes) + ")";
    }

    private record Query(String where, List<Object> params) {}

    private Query where(Collection<Long> roomNids, Set<String> keys, String term) {
        if (database.dialect() == Dialect.SQLITE) {
            return new Query("event_search MATCH ?", List.of(ftsQuery(term, roomNids, keys)));
        }
        var params = new ArrayList<Object>();
        params.add(term);
        params.addAll(roomNids);
        var sql = new StringBuilder("event_search.vector @@ plainto_tsquery('english', ?)"
                + " AND event_search.room_nid IN (" + marks(roomNids.size()) + ")");
        // Every indexed key is one of the three: asking for all needs no filter.
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
        return roomNids.isEmpty() || keys.isEmpty() || ftsWords(term).isEmpty();
    }

    @Override
    public List<Hit> search(Collection<Long> roomNids, Set<String> keys, String term, Order order, long before,
                            int skip, int limit) {
        if (empty(roomNids, keys, term)) {
            return List.of();
        }
        return database.dialect() == Dialect.SQLITE
                ? searchSqlite(roomNids, keys, term, order, before, skip, limit)
                : searchPostgres(roomNids, keys, term, order, before, skip, limit);
    }

    /**
     * Two statements: the newest matches through the scope tokens (posting lists only, no scoring), then bm25 for
     * just those rows, with the words alone. Scoring in the first statement would make bm25 count every row of
     * each of the searcher's rooms (its IDF of every phrase of the query), which costs more than the search.
     */
    private List<Hit> searchSqlite(Collection<Long> roomNids, Set<String> keys, String term, Order order,
                                   long before, int skip, int limit) {
        var params = new ArrayList<Object>(List.of(ftsQuery(term, roomNids, keys)));
        var newest = new StringBuilder("SELECT rowid FROM event_search WHERE event_search MATCH ?");
        if (order == Order.RECENT && before > 0) {
            newest.append(" AND rowid < ?");
            params.add(before);
        }
        newest.append(" ORDER BY rowid DESC LIMIT ?");
        params.add(order == Order.RECENT ? limit : RANK_WINDOW);
        return database.read(c -> {
            List<Long> nids = Jdbc.queryList(c, newest.toString(), row -> row.getLong(1), params.toArray());
            if (nids.isEmpty()) {
                return List.of();
            }
            // "+rowid" keeps the IN list a filter: as a constraint FTS5 would run the query once per rowid.
            Map<Long, Hit> scored = new HashMap<>();
            Jdbc.queryList(c, """
                    SELECT rowid, room_nid, -bm25(event_search, 1.0, 0.0, 0.0) FROM event_search
                    WHERE event_search MATCH ? AND rowid >= ? AND rowid <= ?
                    AND +rowid IN (SELECT value FROM json_each(?))""",
                    row -> new Hit(row.getLong(1), row.getLong(2), row.getDouble(3)),
                    "value : (" + ftsWords(term) + ")", nids.getLast(), nids.getFirst(), nids.toString())
                    .forEach(hit -> scored.put(hit.eventNid(), hit));
            List<Hit> hits = nids.stream().map(scored::get).filter(Objects::nonNull).toList();
            if (order == Order.RECENT) {
                return hits;
            }
            return hits.stream().sorted(Comparator.comparingDouble(Hit::rank).reversed()
                            .thenComparing(Comparator.comparingLong(Hit::eventNid).reversed()))
                    .skip(skip).limit(limit).toList();
        });
    }

    /** One statement: ts_rank is computed per row, so scoring the newest matches costs no more than finding them. */
    private List<Hit> searchPostgres(Collection<Long> roomNids, Set<String> keys, String term, Order order,
                                     long before, int skip, int limit) {
        Query where = where(roomNids, keys, term);
        var params = new ArrayList<Object>();
        params.add(term);
        params.addAll(where.params());
        var newest = new StringBuilder("SELECT event_nid AS nid, room_nid,"
                + " ts_rank(vector, plainto_tsquery('english', ?)) AS score FROM event_search WHERE " + where.where());
        if (order == Order.RECENT && before > 0) {
            newest.append(" AND event_nid < ?");
            params.add(before);
        }
        newest.append(" ORDER BY event_nid DESC LIMIT ?");
        String sql;
        if (order == Order.RECENT) {
            sql = newest.toString();
            params.add(limit);
        } else {
            sql = "SELECT nid, room_nid, score FROM (" + newest + ") newest ORDER BY score DESC, nid DESC"
                    + " LIMIT ? OFFSET ?";
            params.add(RANK_WINDOW);
            params.add(limit);
            params.add(skip);
        }
        return database.read(c -> Jdbc.queryList(c, sql, row -> new Hit(row.getLong(1), row.getLong(2),
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
