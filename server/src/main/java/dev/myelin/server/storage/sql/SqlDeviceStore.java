package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.AccountStore;
import dev.myelin.server.storage.DeviceStore;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

public final class SqlDeviceStore implements DeviceStore {
    private final Database database;

    public SqlDeviceStore(Database database) {
        this.database = database;
    }

    @Override
    public void startSession(AccountStore.NewSession session) {
        database.write(connection -> {
            startSession(connection, session);
            return null;
        });
    }

    /** Creates or re-tokens a device inside the caller's transaction. */
    static void startSession(Connection connection, AccountStore.NewSession session) throws SQLException {
        int updated = Jdbc.update(connection, """
                UPDATE devices SET access_token_hash = ?, access_expires_ts = ?, refresh_token_hash = ?,
                       prev_refresh_hash = NULL
                 WHERE user_id = ? AND device_id = ?""",
                session.accessTokenHash(), expiry(session.accessExpiresTs()), session.refreshTokenHash(),
                session.userId(), session.deviceId());
        if (updated == 0) {
            Jdbc.update(connection, """
                    INSERT INTO devices (user_id, device_id, display_name, created_ts, access_token_hash,
                                         access_expires_ts, refresh_token_hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""",
                    session.userId(), session.deviceId(), session.initialDisplayName(), session.nowTs(),
                    session.accessTokenHash(), expiry(session.accessExpiresTs()), session.refreshTokenHash());
        }
    }

    private static Long expiry(long ts) {
        return ts <= 0 ? null : ts;
    }

    @Override
    public Optional<TokenOwner> findByAccessToken(String accessTokenHash) {
        return database.read(connection -> Jdbc.queryOne(connection, """
                SELECT d.user_id, d.device_id, d.access_expires_ts, d.prev_refresh_hash, u.is_guest, u.deactivated,
                       u.locked, u.suspended
                  FROM devices d JOIN users u ON u.user_id = d.user_id
                 WHERE d.access_token_hash = ?""",
                row -> new TokenOwner(row.getString("user_id"), row.getString("device_id"),
                        row.getBoolean("is_guest"), row.getBoolean("deactivated"),
                        row.getBoolean("locked"), row.getBoolean("suspended"),
                        Jdbc.optionalLong(row, "access_expires_ts").orElse(0L),
                        row.getString("prev_refresh_hash") != null),
                accessTokenHash));
    }

    @Override
    public void clearPreviousRefreshToken(String userId, String deviceId) {
        database.write(connection -> Jdbc.update(connection,
                "UPDATE devices SET prev_refresh_hash = NULL WHERE user_id = ? AND device_id = ?", userId, deviceId));
    }

    @Override
    public Optional<Refreshed> refresh(String refreshTokenHash, String newAccessTokenHash, long newAccessExpiresTs,
                                       String newRefreshTokenHash) {
        return database.write(connection -> {
            record Row(String userId, String deviceId, String access, boolean current) {
            }
            Optional<Row> found = Jdbc.queryOne(connection, """
                    SELECT user_id, device_id, access_token_hash, refresh_token_hash FROM devices
                     WHERE refresh_token_hash = ? OR prev_refresh_hash = ?""",
                    row -> new Row(row.getString("user_id"), row.getString("device_id"),
                            row.getString("access_token_hash"),
                            refreshTokenHash.equals(row.getString("refresh_token_hash"))),
                    refreshTokenHash, refreshTokenHash);
            if (found.isEmpty()) {
                return Optional.<Refreshed>empty();
            }
            Row row = found.get();
            if (row.current()) {
                Jdbc.update(connection, """
                        UPDATE devices SET access_token_hash = ?, access_expires_ts = ?, refresh_token_hash = ?,
                               prev_refresh_hash = ? WHERE user_id = ? AND device_id = ?""",
                        newAccessTokenHash, expiry(newAccessExpiresTs), newRefreshTokenHash, refreshTokenHash,
                        row.userId(), row.deviceId());
            } else {
                Jdbc.update(connection, """
                        UPDATE devices SET access_token_hash = ?, access_expires_ts = ?, refresh_token_hash = ?
                         WHERE user_id = ? AND device_id = ?""",
                        newAccessTokenHash, expiry(newAccessExpiresTs), newRefreshTokenHash,
                        row.userId(), row.deviceId());
            }
            return Optional.of(new Refreshed(row.userId(), row.deviceId(), Optional.ofNullable(row.access())));
        });
    }

    @Override
    public List<Device> devices(String userId) {
        return database.read(connection -> Jdbc.query(connection,
                "SELECT * FROM devices WHERE user_id = ? ORDER BY device_id", SqlDeviceStore::device, userId));
    }

    @Override
    public Optional<Device> device(String userId, String deviceId) {
        return database.read(connection -> Jdbc.queryOne(connection,
                "SELECT * FROM devices WHERE user_id = ? AND device_id = ?", SqlDeviceStore::device, userId, deviceId));
    }

    private static Device device(ResultSet row) throws SQLException {
        return new Device(row.getString("user_id"), row.getString("device_id"),
                Optional.ofNullable(row.getString("display_name")), Optional.ofNullable(row.getString("last_seen_ip")),
                Jdbc.optionalLong(row, "last_seen_ts"));
    }

    @Override
    public boolean rename(String userId, String deviceId, Optional<String> displayName) {
        return database.write(connection -> Jdbc.update(connection,
                "UPDATE devices SET display_name = ? WHERE user_id = ? AND device_id = ?",
                displayName, userId, deviceId) > 0);
    }

    @Override
    public List<String> delete(String userId, Collection<String> deviceIds) {
        return database.write(connection -> {
            var deleted = new ArrayList<String>();
            for (String deviceId : deviceIds) {
                if (Jdbc.update(connection, "DELETE FROM devices WHERE user_id = ? AND device_id = ?",
                        userId, deviceId) > 0) {
                    deleted.add(deviceId);
                }
            }
            return deleted;
        });
    }

    @Override
    public List<String> deleteAll(String userId) {
        return database.write(connection -> deleteAllExcept(connection, userId, ""));
    }

    /** Deletes the user's devices but {@code keep} (an empty string keeps none), in the caller's transaction. */
    static List<String> deleteAllExcept(Connection connection, String userId, String keep) throws SQLException {
        List<String> ids = Jdbc.query(connection,
                "SELECT device_id FROM devices WHERE user_id = ? AND device_id <> ?",
                row -> row.getString(1), userId, keep);
        Jdbc.update(connection, "DELETE FROM devices WHERE user_id = ? AND device_id <> ?", userId, keep);
        return ids;
    }

    @Override
    public void updateLastSeen(Map<DeviceKey, LastSeen> seen) {
        if (seen.isEmpty()) {
            return;
        }
        database.write(connection -> {
            try (var statement = connection.prepareStatement(
                    "UPDATE devices SET last_seen_ip = ?, last_seen_ts = ? WHERE user_id = ? AND device_id = ?")) {
                for (var entry : seen.entrySet()) {
                    statement.setString(1, entry.getValue().ip());
                    statement.setLong(2, entry.getValue().ts());
                    statement.setString(3, entry.getKey().userId());
                    statement.setString(4, entry.getKey().deviceId());
                    statement.addBatch();
                }
                statement.executeBatch();
            }
            return null;
        });
    }
}
