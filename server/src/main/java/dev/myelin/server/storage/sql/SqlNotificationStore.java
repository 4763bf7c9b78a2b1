package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.NotificationStore;
import dev.myelin.server.storage.StreamName;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Notifications, read positions and the push evaluator's progress in SQL. */
public final class SqlNotificationStore implements NotificationStore {
    public static final StreamName COUNTS = StreamName.of("notification_counts");
    private static final String PROGRESS = "evaluator";

    /** A notification is unread when it is after both the unthreaded read position and its thread's one. */
    private static final String UNREAD = """
            n.event_stream_pos > COALESCE((SELECT r.event_stream_pos FROM push_read_positions r
                WHERE r.user_id = n.user_id AND r.room_id = n.room_id AND r.thread_id = ''), 0)
            AND n.event_stream_pos > COALESCE((SELECT r.event_stream_pos FROM push_read_positions r
                WHERE r.user_id = n.user_id AND r.room_id = n.room_id AND r.thread_id = n.thread_id), 0)""";

    private final Database database;

    public SqlNotificationStore(Database database) {
        this.database = database;
    }

    @Override
    public long progress() {
        return database.read(c -> Jdbc.queryOne(c, "SELECT position FROM push_progress WHERE name = ?",
                row -> row.getLong(1), PROGRESS).orElse(0L));
    }

    @Override
    public void startProgressAt(long eventsPos) {
        database.write(c -> Jdbc.update(c, "INSERT INTO push_progress (name, position) VALUES (?, ?)"
                + " ON CONFLICT (name) DO NOTHING", PROGRESS, eventsPos));
    }

    @Override
    public Set<String> record(long eventsPos, List<Notification> notifications, List<ReadMark> reads,
                              List<Delivery> deliveries, long now) {
        return database.write(c -> {
            var changed = new LinkedHashSet<List<String>>();
            var rows = new ArrayList<Object[]>(notifications.size());
            for (Notification n : notifications) {
                rows.add(new Object[] {n.userId(), n.roomId(), n.threadId(), n.eventId(), n.eventStreamPos(),
                        n.highlight(), n.actions().toString(), n.ts()});
                changed.add(List.of(n.userId(), n.roomId()));
            }
            Jdbc.updateBatch(c, """
                    INSERT INTO push_notifications (user_id, room_id, thread_id, event_id, event_stream_pos,
                                                    highlight, actions, ts)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)""", rows);
            changed.addAll(moveReadPositions(c, reads));
            for (Delivery d : deliveries) {
                Jdbc.update(c, """
                        INSERT INTO push_deliveries (pusher_id, notification, tweaks, attempts, next_attempt_ts,
                                                     created_ts)
                        VALUES (?, ?, ?, 0, ?, ?)""", d.pusherId(), d.notification(), d.tweaks(), now, now);
            }
            var users = new HashSet<String>();
            countsChanged(c, changed);
            changed.forEach(userRoom -> users.add(userRoom.getFirst()));
            Jdbc.update(c, """
                    INSERT INTO push_progress (name, position) VALUES (?, ?)
                    ON CONFLICT (name) DO UPDATE SET position = excluded.position""", PROGRESS, eventsPos);
            return users;
        });
    }

    @Override
    public boolean readUpTo(ReadMark mark) {
        return database.write(c -> {
            Set<List<String>> moved = moveReadPositions(c, List.of(mark));
            countsChanged(c, moved);
            return !moved.isEmpty();
        });
    }

    /**
     * Moves each read position forward in one statement (the highest mark per user, room and thread: one upsert may
     * not touch a row twice); returns the (user id, room id) pairs whose position moved.
     */
    private static Set<List<String>> moveReadPositions(Connection c, List<ReadMark> marks) throws SQLException {
        var highest = new LinkedHashMap<List<String>, ReadMark>();
        for (ReadMark mark : marks) {
            highest.merge(List.of(mark.userId(), mark.roomId(), mark.threadId()), mark,
                    (a, b) -> a.eventStreamPos() >= b.eventStreamPos() ? a : b);
        }
        List<ReadMark> distinct = List.copyOf(highest.values());
        var moved = new LinkedHashSet<List<String>>();
        for (int from = 0; from < distinct.size(); from += 500) {
            List<ReadMark> chunk = distinct.subList(from, Math.min(distinct.size(), from + 500));
            var params = new ArrayList<Object>(chunk.size() * 4);
            for (ReadMark mark : chunk) {
                params.addAll(List.of(mark.userId(), mark.roomId(), mark.threadId(), mark.eventStreamPos()));
            }
            moved.addAll(Jdbc.queryList(c, "INSERT INTO push_read_positions (user_id, room_id, thread_id,"
                    + " event_stream_pos) VALUES " + String.join(", ", Collections.nCopies(chunk.size(), "(?, ?, ?, ?)"))
                    + """
                     ON CONFLICT (user_id, room_id, thread_id) DO UPDATE SET event_stream_pos = excluded.event_stream_pos
                    WHERE push_read_positions.event_stream_pos < excluded.event_stream_pos
                    RETURNING user_id, room_id""", row -> List.of(row.getString(1), row.getString(2)),
                    params.toArray()));
        }
        return moved;
    }

    /** Each (user id, room id)'s counts changed: each gets a new position of the counts stream. */
    private static void countsChanged(Connection c, Collection<List<String>> userRooms) throws SQLException {
        if (userRooms.isEmpty()) {
            return;
        }
        long pos = SqlStreamPositions.advance(c, COUNTS, userRooms.size()) - userRooms.size();
        var rows = new ArrayList<Object[]>(userRooms.size());
        for (List<String> userRoom : userRooms) {
            rows.add(new Object[] {userRoom.get(0), userRoom.get(1), ++pos});
        }
        Jdbc.updateBatch(c, """
                INSERT INTO push_count_changes (user_id, room_id, stream_pos) VALUES (?, ?, ?)
                ON CONFLICT (user_id, room_id) DO UPDATE SET stream_pos = excluded.stream_pos""", rows);
    }

    @Override
    public Map<String, Counts> counts(String userId, String roomId) {
        return database.read(c -> {
            var counts = new HashMap<String, Counts>();
            // UNREAD with the room's unthreaded read position as a bound of the index range (one lookup, not one
            // per notification) and each thread's own read position joined.
            Jdbc.query(c, """
                    SELECT n.thread_id, COUNT(*), SUM(CASE WHEN n.highlight THEN 1 ELSE 0 END)
                    FROM push_notifications n LEFT JOIN push_read_positions t
                        ON t.user_id = n.user_id AND t.room_id = n.room_id AND t.thread_id = n.thread_id
                    WHERE n.user_id = ? AND n.room_id = ?
                        AND n.event_stream_pos > COALESCE((SELECT r.event_stream_pos FROM push_read_positions r
                            WHERE r.user_id = ? AND r.room_id = ? AND r.thread_id = ''), 0)
                        AND n.event_stream_pos > COALESCE(t.event_stream_pos, 0)
                    GROUP BY n.thread_id""", row -> counts.put(row.getString(1),
                    new Counts(row.getLong(2), row.getLong(3))), userId, roomId, userId, roomId);
            return counts;
        });
    }

    @Override
    public long unreadTotal(String userId) {
        return database.read(c -> Jdbc.queryOne(c, "SELECT COUNT(*) FROM push_notifications n WHERE n.user_id = ? AND "
                + UNREAD, row -> row.getLong(1), userId).orElse(0L));
    }

    @Override
    public List<Listed> notifications(String userId, long before, int limit, boolean highlightOnly) {
        return database.read(c -> Jdbc.query(c, "SELECT n.*, CASE WHEN " + UNREAD + " THEN 0 ELSE 1 END AS is_read"
                        + " FROM push_notifications n WHERE n.user_id = ? AND n.id < ?"
                        + (highlightOnly ? " AND n.highlight = TRUE" : "") + " ORDER BY n.id DESC LIMIT ?",
                row -> new Listed(row.getLong("id"), row.getString("room_id"), row.getString("event_id"),
                        row.getLong("event_stream_pos"), row.getBoolean("highlight"),
                        SqlPushRuleStore.array(row.getString("actions")), row.getLong("ts"),
                        row.getInt("is_read") == 1), userId, before, limit));
    }

    @Override
    public Set<String> roomsChanged(String userId, long after, long upTo) {
        return database.read(c -> new HashSet<>(Jdbc.query(c, """
                SELECT room_id FROM push_count_changes WHERE user_id = ? AND stream_pos > ? AND stream_pos <= ?""",
                row -> row.getString(1), userId, after, upTo)));
    }

    @Override
    public long currentPosition() {
        return database.read(c -> SqlStreamPositions.current(c, COUNTS));
    }
}
