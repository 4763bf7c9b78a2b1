package dev.myelin.server.storage.sql;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.myelin.server.storage.UserDirectoryStore;
import dev.myelin.server.userdir.DirectoryTerms;
import dev.myelin.spec.event.Pdu;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The user directory in {@code user_directory} with its words in {@code user_directory_terms}. Prefix search is an
 * index range scan: the words are letters and digits only, so every word starting with "ab" sorts between "ab" and
 * "ac" under any collation.
 *
 * <p>Each word row also holds the user's lower-cased display name, so the candidates are ranked from that index
 * alone (V19): a short prefix matches thousands of users, and reading each one's directory row to rank it cost more
 * than the rest of the search. Who the searcher may see is then checked in rank order, a chunk at a time, until
 * the limit is reached.
 */
public final class SqlUserDirectoryStore implements UserDirectoryStore {
    private static final JsonMapper JSON = new JsonMapper();
    /** Candidates whose visibility is checked at first; each further chunk is four times larger. */
    static final int FIRST_CHUNK = 50;

    private final Database database;

    public SqlUserDirectoryStore(Database database) {
        this.database = database;
    }

    /** Refreshes a local user's entry from their profile fields (called in the profile write's transaction). */
    static void refreshLocal(Connection c, String userId) throws SQLException {
        Optional<String> name = profileText(c, userId, "displayname");
        Optional<String> avatar = profileText(c, userId, "avatar_url");
        upsert(c, userId, name.orElse(null), avatar.orElse(null), true);
    }

    private static Optional<String> profileText(Connection c, String userId, String field) throws SQLException {
        Optional<String> json = Jdbc.queryOne(c, "SELECT value FROM profile_fields WHERE user_id = ? AND field = ?",
                row -> row.getString(1), userId, field);
        if (json.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode value = JSON.readTree(json.get());
            return value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void upsert(Connection c, String userId, String displayName, String avatarUrl, boolean local)
            throws SQLException {
        Jdbc.update(c, """
                INSERT INTO user_directory (user_id, display_name, avatar_url, is_local) VALUES (?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name,
                    avatar_url = excluded.avatar_url, is_local = excluded.is_local""",
                userId, displayName, avatarUrl, local);
        Jdbc.update(c, "DELETE FROM user_directory_terms WHERE user_id = ?", userId);
        try (var insert = c.prepareStatement(
                "INSERT INTO user_directory_terms (term, user_id, name) VALUES (?, ?, lower(?))")) {
            for (String word : DirectoryTerms.ofUser(userId, displayName)) {
                insert.setString(1, word);
                insert.setString(2, userId);
                insert.setString(3, displayName);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * Keeps the directory current as a room event is persisted (in its transaction): a join adds the member (a local
     * user with their profile, a remote one with the name in the event); a join rule change moves the room in or
     * out of the public rooms whose members everyone may find.
     */
    static void onRoomEvent(Connection c, long roomNid, Pdu pdu) throws SQLException {
        if (!pdu.isState()) {
            return;
        }
        if ("m.room.member".equals(pdu.type()) && "join".equals(pdu.content().path("membership").asText())) {
            String userId = pdu.stateKey();
            boolean local = Jdbc.queryOne(c, "SELECT 1 FROM users WHERE user_id = ?", row -> true, userId)
                    .isPresent();
            if (local) {
                refreshLocal(c, userId);
            } else {
                JsonNode name = pdu.content().path("displayname");
                JsonNode avatar = pdu.content().path("avatar_url");
                upsert(c, userId, name.isTextual() ? name.asText() : null, avatar.isTextual() ? avatar.asText() : null,
                        false);
            }
        } else if ("m.room.join_rules".equals(pdu.type()) && pdu.stateKey().isEmpty()) {
            if ("public".equals(pdu.content().path("join_rule").asText())) {
                Jdbc.update(c, "INSERT INTO user_directory_public_rooms (room_nid) VALUES (?) "
                        + "ON CONFLICT (room_nid) DO NOTHING", roomNid);
            } else {
                Jdbc.update(c, "DELETE FROM user_directory_public_rooms WHERE room_nid = ?", roomNid);
            }
        }
    }

    @Override
    public List<Entry> search(String searcher, String term, List<String> words, int limit, boolean allLocalUsers) {
        if (words.isEmpty()) {
            return List.of();
        }
        return database.read(c -> {
            var found = new ArrayList<Entry>();
            int offset = 0;
            int chunk = Math.max(FIRST_CHUNK, limit + 1);
            while (found.size() <= limit) {
                List<String> candidates = ranked(c, term, words, offset, chunk);
                found.addAll(visible(c, searcher, candidates, allLocalUsers));
                if (candidates.size() < chunk) {
                    break;
                }
                offset += chunk;
                chunk *= 4;
            }
            return found.size() > limit + 1 ? found.subList(0, limit + 1) : found;
        });
    }

    /**
     * Users every word is a prefix of a word of, best first: exact matches of the whole term on the display name,
     * user id or localpart, then prefix matches of the display name or user id, then the rest; then by display
     * name (users without one last) and user id. Only the word index is read; the longest word drives the scan.
     */
    private static List<String> ranked(Connection c, String term, List<String> words, int offset, int count)
            throws SQLException {
        List<String> byLength = words.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
        String escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        var params = new ArrayList<Object>(List.of(term, term, "@" + escaped + ":%", escaped + "%", "@" + escaped + "%",
                byLength.getFirst(), successor(byLength.getFirst())));
        var sql = new StringBuilder("""
                SELECT DISTINCT t.user_id,
                       CASE WHEN t.name = ? OR t.user_id = ? OR lower(t.user_id) LIKE ? ESCAPE '\\' THEN 0
                            WHEN t.name LIKE ? ESCAPE '\\' OR lower(t.user_id) LIKE ? ESCAPE '\\' THEN 1
                            ELSE 2 END AS bucket,
                       t.name IS NULL AS unnamed, t.name
                FROM user_directory_terms t WHERE t.term >= ? AND t.term < ?""");
        for (String word : byLength.subList(1, byLength.size())) {
            sql.append(" AND t.user_id IN (SELECT user_id FROM user_directory_terms WHERE term >= ? AND term < ?)");
            params.add(word);
            params.add(successor(word));
        }
        sql.append(" ORDER BY bucket, unnamed, t.name, t.user_id LIMIT ? OFFSET ?");
        params.add(count);
        params.add(offset);
        return Jdbc.queryList(c, sql.toString(), row -> row.getString(1), params.toArray());
    }

    /**
     * The candidates the searcher may see, in the candidates' order: the searcher, users who share a joined room
     * with them, members of public rooms, and, when {@code allLocalUsers}, every local user.
     */
    private static List<Entry> visible(Connection c, String searcher, List<String> candidates, boolean allLocalUsers)
            throws SQLException {
        if (candidates.isEmpty()) {
            return List.of();
        }
        var params = new ArrayList<Object>(candidates);
        params.addAll(List.of(searcher, allLocalUsers, searcher));
        Map<String, Entry> entries = new HashMap<>();
        Jdbc.queryList(c, "SELECT d.user_id, d.display_name, d.avatar_url FROM user_directory d WHERE d.user_id IN ("
                + Jdbc.marks(candidates.size()) + ")" + """
                 AND (d.user_id = ? OR (? AND d.is_local)
                 OR EXISTS (SELECT 1 FROM room_memberships m JOIN user_directory_public_rooms p
                            ON p.room_nid = m.room_nid WHERE m.user_id = d.user_id AND m.membership = 'join')
                 OR EXISTS (SELECT 1 FROM room_memberships m JOIN room_memberships mine ON mine.room_nid = m.room_nid
                            WHERE m.user_id = d.user_id AND m.membership = 'join'
                            AND mine.user_id = ? AND mine.membership = 'join'))""",
                row -> new Entry(row.getString(1), Optional.ofNullable(row.getString(2)),
                        Optional.ofNullable(row.getString(3))), params.toArray())
                .forEach(entry -> entries.put(entry.userId(), entry));
        return candidates.stream().filter(entries::containsKey).map(entries::get).toList();
    }

    @Override
    public void remove(String userId) {
        database.write(c -> {
            Jdbc.update(c, "DELETE FROM user_directory_terms WHERE user_id = ?", userId);
            return Jdbc.update(c, "DELETE FROM user_directory WHERE user_id = ?", userId);
        });
    }

    /** The smallest string greater than every string starting with {@code word}'s letters (last one incremented). */
    private static String successor(String word) {
        int last = word.codePointBefore(word.length());
        return word.substring(0, word.length() - Character.charCount(last)) + Character.toString(last + 1);
    }
}
