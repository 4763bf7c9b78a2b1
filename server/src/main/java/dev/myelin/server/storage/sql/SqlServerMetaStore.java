package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.ServerMetaStore;
import dev.myelin.server.storage.ServerNameMismatchException;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

public final class SqlServerMetaStore implements ServerMetaStore {
    private static final String SERVER_NAME = "server_name";

    private final Database database;

    public SqlServerMetaStore(Database database) {
        this.database = database;
    }

    @Override
    public void claimServerName(String serverName) {
        database.write(connection -> {
            Optional<String> stored = select(connection, SERVER_NAME);
            if (stored.isEmpty()) {
                upsert(connection, SERVER_NAME, serverName);
            } else if (!stored.get().equals(serverName)) {
                throw new ServerNameMismatchException(stored.get(), serverName);
            }
            return null;
        });
    }

    @Override
    public Optional<String> serverName() {
        return get(SERVER_NAME);
    }

    @Override
    public Optional<String> get(String key) {
        return database.read(connection -> select(connection, key));
    }

    @Override
    public void put(String key, String value) {
        if (SERVER_NAME.equals(key)) {
            throw new IllegalArgumentException("the server name is set only by claimServerName");
        }
        database.write(connection -> upsert(connection, key, value));
    }

    private static Optional<String> select(Connection connection, String key) throws SQLException {
        return Jdbc.queryOne(connection, "SELECT value FROM server_meta WHERE name = ?", row -> row.getString(1), key);
    }

    private static int upsert(Connection connection, String key, String value) throws SQLException {
        return Jdbc.update(connection, """
                INSERT INTO server_meta (name, value) VALUES (?, ?)
                ON CONFLICT (name) DO UPDATE SET value = excluded.value""", key, value);
    }
}
