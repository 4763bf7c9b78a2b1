package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.ServerKeyStore;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

public final class SqlServerKeyStore implements ServerKeyStore {
    private static final String COLUMNS = "server_name, key_id, public_key, valid_until_ts, expired_ts, fetched_ts";

    private final Database database;

    public SqlServerKeyStore(Database database) {
        this.database = database;
    }

    @Override
    public Optional<ServerKey> key(String serverName, String keyId) {
        return database.read(connection -> Jdbc.queryOne(connection,
                "SELECT " + COLUMNS + " FROM server_keys WHERE server_name = ? AND key_id = ?",
                SqlServerKeyStore::row, serverName, keyId));
    }

    @Override
    public List<ServerKey> keys(String serverName) {
        return database.read(connection -> Jdbc.queryList(connection,
                "SELECT " + COLUMNS + " FROM server_keys WHERE server_name = ? ORDER BY key_id",
                SqlServerKeyStore::row, serverName));
    }

    @Override
    public void store(String serverName, List<ServerKey> keys, byte[] responseJson) {
        database.write(connection -> {
            for (ServerKey key : keys) {
                upsert(connection, key, responseJson);
            }
            return null;
        });
    }

    private static void upsert(Connection connection, ServerKey key, byte[] json) throws SQLException {
        // A later validity wins; a key once seen as expired stays expired (at the earliest such time).
        Jdbc.update(connection, """
                INSERT INTO server_keys (server_name, key_id, public_key, valid_until_ts, expired_ts, fetched_ts, key_json)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (server_name, key_id) DO UPDATE SET
                    valid_until_ts = CASE WHEN excluded.valid_until_ts > server_keys.valid_until_ts
                                          THEN excluded.valid_until_ts ELSE server_keys.valid_until_ts END,
                    key_json = CASE WHEN excluded.valid_until_ts >= server_keys.valid_until_ts
                                    THEN excluded.key_json ELSE server_keys.key_json END,
                    expired_ts = CASE WHEN server_keys.expired_ts IS NULL THEN excluded.expired_ts
                                      WHEN excluded.expired_ts IS NULL THEN server_keys.expired_ts
                                      WHEN excluded.expired_ts < server_keys.expired_ts THEN excluded.expired_ts
                                      ELSE server_keys.expired_ts END,
                    fetched_ts = excluded.fetched_ts""",
                key.serverName(), key.keyId(), key.publicKey(), key.validUntilTs(), key.expiredTs(), key.fetchedTs(),
                json);
    }

    @Override
    public List<KeyResponse> responses(String serverName) {
        List<KeyResponse> all = database.read(connection -> Jdbc.queryList(connection, """
                SELECT key_json, MAX(valid_until_ts) FROM server_keys
                WHERE server_name = ? AND key_json IS NOT NULL
                GROUP BY key_json ORDER BY MAX(valid_until_ts) DESC""",
                row -> new KeyResponse(row.getBytes(1), row.getLong(2)), serverName));
        var distinct = new ArrayList<KeyResponse>();
        for (KeyResponse response : all) {
            if (distinct.stream().noneMatch(seen -> Arrays.equals(seen.json(), response.json()))) {
                distinct.add(response);
            }
        }
        return distinct;
    }

    @Override
    public void useLocalKey(String serverName, String keyId, String publicKey, long nowTs) {
        database.write(connection -> {
            Jdbc.update(connection, """
                    UPDATE server_keys SET expired_ts = ?, valid_until_ts = ?
                    WHERE server_name = ? AND key_id <> ? AND expired_ts IS NULL""",
                    nowTs, nowTs, serverName, keyId);
            Jdbc.update(connection, """
                    INSERT INTO server_keys (server_name, key_id, public_key, valid_until_ts, expired_ts, fetched_ts)
                    VALUES (?, ?, ?, ?, NULL, ?)
                    ON CONFLICT (server_name, key_id) DO UPDATE SET expired_ts = NULL,
                        public_key = excluded.public_key, valid_until_ts = excluded.valid_until_ts""",
                    serverName, keyId, publicKey, Long.MAX_VALUE, nowTs);
            return null;
        });
    }

    private static ServerKey row(ResultSet row) throws SQLException {
        return new ServerKey(row.getString(1), row.getString(2), row.getString(3), row.getLong(4),
                Jdbc.optionalLong(row, "expired_ts"), row.getLong(6));
    }
}
