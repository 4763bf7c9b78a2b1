package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.FilterStore;

import java.util.Optional;

public final class SqlFilterStore implements FilterStore {
    private final Database database;

    public SqlFilterStore(Database database) {
        this.database = database;
    }

    @Override
    public long add(String userId, String json) {
        return database.write(connection -> {
            long next = Jdbc.queryOne(connection,
                    "SELECT COALESCE(MAX(filter_id), -1) + 1 FROM sync_filters WHERE user_id = ?",
                    row -> row.getLong(1), userId).orElse(0L);
            Jdbc.update(connection, "INSERT INTO sync_filters (user_id, filter_id, json) VALUES (?, ?, ?)",
                    userId, next, json);
            return next;
        });
    }

    @Override
    public Optional<String> get(String userId, long filterId) {
        return database.read(connection -> Jdbc.queryOne(connection,
                "SELECT json FROM sync_filters WHERE user_id = ? AND filter_id = ?",
                row -> row.getString(1), userId, filterId));
    }
}
