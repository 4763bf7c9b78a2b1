package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.DeviceListStore;
import dev.myelin.server.storage.StreamName;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

public final class SqlDeviceListStore implements DeviceListStore {
    public static final StreamName DEVICE_LISTS = StreamName.of("device_lists");

    private final Database database;

    public SqlDeviceListStore(Database database) {
        this.database = database;
    }

    /** Appends a row to the device-list stream inside the caller's write transaction; returns its position. */
    static long record(Connection connection, String userId, String roomId, String membership) throws SQLException {
        long position = SqlStreamPositions.next(connection, DEVICE_LISTS);
        Jdbc.update(connection, "INSERT INTO device_list_changes (stream_pos, user_id, room_id, membership) "
                + "VALUES (?, ?, ?, ?)", position, userId, roomId, membership);
        return position;
    }

    @Override
    public long membershipChanged(String userId, String roomId, String membership) {
        return database.write(c -> record(c, userId, roomId, membership));
    }

    @Override
    public List<Change> changes(long from, long to) {
        return database.read(c -> Jdbc.queryList(c, """
                SELECT stream_pos, user_id, room_id, membership FROM device_list_changes
                 WHERE stream_pos > ? AND stream_pos <= ? ORDER BY stream_pos""",
                row -> new Change(row.getLong(1), row.getString(2), row.getString(3), row.getString(4)), from, to));
    }

    @Override
    public long currentPosition() {
        return database.read(c -> SqlStreamPositions.current(c, DEVICE_LISTS));
    }

    @Override
    public long keyChangeBefore(String userId, long before) {
        return database.read(c -> Jdbc.queryOne(c, """
                SELECT MAX(stream_pos) FROM device_list_changes
                 WHERE user_id = ? AND room_id IS NULL AND stream_pos < ?""", row -> row.getLong(1), userId, before))
                .orElse(0L);
    }

    @Override
    public Set<String> usersSharingRooms(String userId) {
        return database.read(c -> new HashSet<>(Jdbc.queryList(c, """
                SELECT DISTINCT other.user_id FROM room_memberships mine
                  JOIN room_memberships other ON other.room_nid = mine.room_nid AND other.membership = 'join'
                 WHERE mine.user_id = ? AND mine.membership = 'join'""", row -> row.getString(1), userId)));
    }

    @Override
    public Set<String> joinedMembers(String roomId) {
        return database.read(c -> new HashSet<>(Jdbc.queryList(c, """
                SELECT m.user_id FROM room_memberships m JOIN rooms r ON r.room_nid = m.room_nid
                 WHERE r.room_id = ? AND m.membership = 'join'""", row -> row.getString(1), roomId)));
    }

    @Override
    public Set<String> joinedRooms(String userId) {
        return database.read(c -> new HashSet<>(Jdbc.queryList(c, """
                SELECT r.room_id FROM room_memberships m JOIN rooms r ON r.room_nid = m.room_nid
                 WHERE m.user_id = ? AND m.membership = 'join'""", row -> row.getString(1), userId)));
    }
}
