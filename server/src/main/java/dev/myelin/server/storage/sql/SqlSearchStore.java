package dev.myelin.server.storage.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.myelin.server.storage.SearchStore;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
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
 * <p>Every search first finds the newest {@link #MAX_COUNT} matches, the window: their number is the count, rank
 * order ranks them (scoring every match of a very common word, tens of thousands in a large room, costs hundreds of
 * milliseconds, so a search for one ranks among its recent matches; below that many the ranking is exact), and
 * recent order pages through them.
 */
public final class SqlSearchStore implements SearchStore {
    private static final JsonMapper JSON = new JsonMapper();

    private final Database database;
    private final int window;

    public SqlSearchStore(Database database) {
        this(database, MAX_COUNT);
    }

    /** With a window of other than {@link #MAX_COUNT} matches (tests reach past a small one). */
    public SqlSearchStore(Database database, int window) {
        this.database = database;
        this.window = window;
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
    static void onRoomEvent(DeferredWrites writes, Dialect dialect, long roomNid, long eventNid, String type,
                            JsonNode content, String redacts) throws SQLException {
        if ("m.room.redaction".equals(type) && redacts != null) {
            writes.update("DELETE FROM event_search WHERE " + nidColumn(dialect)
                    + " = (SELECT event_nid FROM events WHERE event_id = ?)", redacts);
            return;
        }
        Optional<String[]> searchable = searchable(type, content);
        if (searchable.isPresent()) {
            insert(writes, dialect, roomNid, eventNid, searchable.get()[0], searchable.get()[1]);
        }
    }

    /** Drops an event from the index (an event rejected after it was indexed). */
    static void unindex(DeferredWrites writes, Dialect dialect, long eventNid) throws SQLException {
        writes.update("DELETE FROM event_search WHERE " + nidColumn(dialect) + " = ?", eventNid);
    }

    private static void insert(DeferredWrites writes, Dialect dialect, long roomNid, long eventNid, String key,
                               String text) throws SQLException {
        String clean = text.replace('\0', ' ');
        switch (dialect) {
            case SQLITE -> writes.update("INSERT INTO event_search (rowid, value, room_nid, scope) VALUES (?, ?, ?, ?)",
                    eventNid, clean, roomNid, scopeToken(roomNid, key));
            case POSTGRES -> writes.update("""
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

    /** The PostgreSQL condition: the words, the rooms, and the keys unless all are asked for. */
    private static Query where(Collection<Long> roomNids, Set<String> keys, String term) {
        var params = new ArrayList<Object>();
        params.add(term);
        params.addAll(roomNids);
        var sql = new StringBuilder("event_search.vector @@ plainto_tsquery('english', ?)"
                + " AND event_search.room_nid IN (" + Jdbc.marks(roomNids.size()) + ")");
        // Every indexed key is one of the three: asking for all needs no filter.
        if (!keys.containsAll(Set.of(BODY, NAME, TOPIC))) {
            sql.append(" AND event_search.key IN (").append(Jdbc.marks(keys.size())).append(")");
            params.addAll(keys);
        }
        return new Query(sql.toString(), params);
    }


    private static boolean empty(Collection<Long> roomNids, Set<String> keys, String term) {
        return roomNids.isEmpty() || keys.isEmpty() || ftsWords(term).isEmpty();
    }

    @Override
    public Page search(Collection<Long> roomNids, Set<String> keys, String term, Order order, long before,
                       int skip, int limit) {
        if (empty(roomNids, keys, term)) {
            return new Page(List.of(), 0);
        }
        return database.dialect() == Dialect.SQLITE
                ? searchSqlite(roomNids, keys, term, order, before, skip, limit)
                : searchPostgres(roomNids, keys, term, order, before, skip, limit);
    }

    /**
     * The newest matches from the window, those below {@code before}, at most {@code limit}: the window when it
     * reaches that far, else {@code older} (asked only for pages past the window).
     */
    private List<Long> recentPage(List<Long> newest, long before, int limit, OlderMatches older)
            throws SQLException {
        List<Long> below = before > 0 ? newest.stream().filter(nid -> nid < before).toList() : newest;
        if (below.size() >= limit || newest.size() < window) {
            return below.subList(0, Math.min(limit, below.size()));
        }
        return older.below(before > 0 ? before : Long.MAX_VALUE);
    }

    @FunctionalInterface
    private interface OlderMatches {
        List<Long> below(long nid) throws SQLException;
    }

    /**
     * The window first: the newest {@link #MAX_COUNT} matches through the scope tokens (posting lists only, no
     * scoring), which is also the count. Then bm25 and the room for just the rows of the page (recent) or of the
     * whole window (rank), with the words alone: scoring in the first statement would make bm25 count every row of
     * each of the searcher's rooms (its IDF of every phrase of the query), which costs more than the search.
     */
    private Page searchSqlite(Collection<Long> roomNids, Set<String> keys, String term, Order order,
                              long before, int skip, int limit) {
        String match = ftsQuery(term, roomNids, keys);
        String newest = "SELECT rowid FROM event_search WHERE event_search MATCH ?";
        return database.read(c -> {
            List<Long> found = Jdbc.queryList(c, newest + " ORDER BY rowid DESC LIMIT ?", row -> row.getLong(1),
                    match, window);
            List<Long> nids = order == Order.RANK ? found : recentPage(found, before, limit, below ->
                    Jdbc.queryList(c, newest + " AND rowid < ? ORDER BY rowid DESC LIMIT ?", row -> row.getLong(1),
                            match, below, limit));
            if (nids.isEmpty()) {
                return new Page(List.of(), found.size());
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
            return new Page(order == Order.RECENT ? hits : ranked(hits, skip, limit), found.size());
        });
    }

    private static List<Hit> ranked(List<Hit> hits, int skip, int limit) {
        return hits.stream().sorted(Comparator.comparingDouble(Hit::rank).reversed()
                        .thenComparing(Comparator.comparingLong(Hit::eventNid).reversed()))
                .skip(skip).limit(limit).toList();
    }

    /**
     * The window in one statement: the newest {@link #MAX_COUNT} matches (the count), scored by ts_rank outside
     * the LIMIT so only they are scored, whatever plan finds them (an index scan backwards for common words, a
     * bitmap of the word's and the rooms' indexes for rarer ones). Pages of recent results past the window take a
     * second statement.
     */
    private Page searchPostgres(Collection<Long> roomNids, Set<String> keys, String term, Order order,
                                long before, int skip, int limit) {
        Query where = where(roomNids, keys, term);
        String scored = "SELECT nid, room_nid, ts_rank(vector, plainto_tsquery('english', ?)) FROM ("
                + "SELECT event_nid AS nid, room_nid, vector FROM event_search WHERE " + where.where() + "%s"
                + " ORDER BY event_nid DESC LIMIT ?) newest ORDER BY nid DESC";
        return database.read(c -> {
            var params = new ArrayList<Object>();
            params.add(term);
            params.addAll(where.params());
            params.add(window);
            List<Hit> found = Jdbc.queryList(c, scored.formatted(""), row -> new Hit(row.getLong(1),
                    row.getLong(2), row.getDouble(3)), params.toArray());
            if (order == Order.RANK) {
                return new Page(ranked(found, skip, limit), found.size());
            }
            Map<Long, Hit> byNid = new HashMap<>();
            found.forEach(hit -> byNid.put(hit.eventNid(), hit));
            List<Long> page = recentPage(found.stream().map(Hit::eventNid).toList(), before, limit, below -> {
                var olderParams = new ArrayList<Object>();
                olderParams.add(term);
                olderParams.addAll(where.params());
                olderParams.add(below);
                olderParams.add(limit);
                return Jdbc.queryList(c, scored.formatted(" AND event_nid < ?"), row -> {
                    byNid.put(row.getLong(1), new Hit(row.getLong(1), row.getLong(2), row.getDouble(3)));
                    return row.getLong(1);
                }, olderParams.toArray());
            });
            return new Page(page.stream().map(byNid::get).toList(), found.size());
        });
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
            var writes = new DeferredWrites(c, dialect);
            for (Object[] row : rows) {
                try {
                    JsonNode event = JSON.readTree((byte[]) row[2]);
                    Optional<String[]> searchable = searchable(event.path("type").asText(), event.path("content"));
                    if (searchable.isPresent()) {
                        insert(writes, dialect, (long) row[1], (long) row[0], searchable.get()[0], searchable.get()[1]);
                    }
                } catch (IOException unreadable) {
                    // Stored events were valid JSON when stored; one that is not is simply not searchable.
                }
            }
            writes.flush();
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
