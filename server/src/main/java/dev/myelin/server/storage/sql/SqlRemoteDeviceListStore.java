package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.RemoteDeviceListStore;

import java.util.Optional;

public final class SqlRemoteDeviceListStore implements RemoteDeviceListStore {
    private final Database database;

    public SqlRemoteDeviceListStore(Database database) {
        this.database = database;
    }

    @Override
    public Optional<Cached> cached(String userId) {
        return database.read(c -> Jdbc.queryOne(c,
                "SELECT stream_id, json FROM remote_device_lists WHERE user_id = ?",
                row -> new Cached(userId, row.getLong(1), row.getString(2)), userId));
    }

    @Override
    public long save(String userId, long streamId, String json) {
        return database.write(c -> {
            Jdbc.update(c, """
                    INSERT INTO remote_device_lists (user_id, stream_id, json) VALUES (?, ?, ?)
                    ON CONFLICT (user_id) DO UPDATE SET stream_id = excluded.stream_id, json = excluded.json""",
                    userId, streamId, json);
            return SqlDeviceListStore.record(c, userId, null, null);
        });
    }

    @Override
    public long forget(String userId) {
        return database.write(c -> {
            Jdbc.update(c, "DELETE FROM remote_device_lists WHERE user_id = ?", userId);
            return SqlDeviceListStore.record(c, userId, null, null);
        });
    }
}
