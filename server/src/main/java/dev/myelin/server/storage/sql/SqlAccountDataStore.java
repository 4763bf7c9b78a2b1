package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.AccountDataStore;
import dev.myelin.server.storage.StreamName;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

public final class SqlAccountDataStore implements AccountDataStore {
    public static final StreamName STREAM = StreamName.of("account_data");

    private final Database database;

    public SqlAccountDataStore(Database database) {
        this.database = database;
    }

    @Override
    public Optional<String> get(String userId, String roomId, String type) {
        return database.read(c -> select(c, userId, roomId, type));
    }

    @Override
    public long put(String userId, String roomId, String type, String content) {
        return database.write(c -> upsert(c, userId, roomId, type, content));
    }

    @Override
    public long update(String userId, String roomId, String type, Function<Optional<String>, String> change) {
        return database.write(c -> upsert(c, userId, roomId, type, change.apply(select(c, userId, roomId, type))));
    }

    /** Stores one type's content in the caller's write transaction; returns its stream position. */
    static long upsert(Connection c, String userId, String roomId, String type, String content) throws SQLException {
        long position = SqlStreamPositions.next(c, STREAM);
        Jdbc.update(c, """
                INSERT INTO account_data (user_id, room_id, type, content, stream_pos) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (user_id, room_id, type)
                DO UPDATE SET content = excluded.content, stream_pos = excluded.stream_pos""",
                userId, roomId, type, content, position);
        return position;
    }

    private static Optional<String> select(Connection c, String userId, String roomId, String type)
            throws SQLException {
        return Jdbc.queryOne(c, "SELECT content FROM account_data WHERE user_id = ? AND room_id = ? AND type = ?",
                row -> row.getString(1), userId, roomId, type);
    }

    @Override
    public List<Entry> changed(String userId, long since, long upTo) {
        return database.read(c -> Jdbc.queryList(c, """
                SELECT room_id, type, content, stream_pos FROM account_data
                WHERE user_id = ? AND stream_pos > ? AND stream_pos <= ? ORDER BY stream_pos""",
                SqlAccountDataStore::entry, userId, since, upTo));
    }

    @Override
    public List<Entry> all(String userId, String roomId) {
        return database.read(c -> Jdbc.queryList(c, """
                SELECT room_id, type, content, stream_pos FROM account_data
                WHERE user_id = ? AND room_id = ? ORDER BY stream_pos""", SqlAccountDataStore::entry, userId, roomId));
    }

    private static Entry entry(ResultSet row) throws SQLException {
        return new Entry(row.getString(1), row.getString(2), row.getString(3), row.getLong(4));
    }

    @Override
    public long currentPosition() {
        return database.read(c -> SqlStreamPositions.current(c, STREAM));
    }
}
