package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.KeyBackupStore;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

public final class SqlKeyBackupStore implements KeyBackupStore {
    private final Database database;

    public SqlKeyBackupStore(Database database) {
        this.database = database;
    }

    @Override
    public long create(String userId, String algorithm, String authData) {
        return database.write(c -> {
            long version = Jdbc.queryOne(c, "SELECT COALESCE(MAX(version), 0) FROM room_key_backups WHERE user_id = ?",
                    row -> row.getLong(1), userId).orElse(0L) + 1;
            Jdbc.update(c, """
                    INSERT INTO room_key_backups (user_id, version, algorithm, auth_data, etag, deleted)
                    VALUES (?, ?, ?, ?, 0, FALSE)""", userId, version, algorithm, authData);
            return version;
        });
    }

    @Override
    public Optional<Backup> latest(String userId) {
        return database.read(c -> latest(c, userId));
    }

    private static Optional<Backup> latest(Connection c, String userId) throws SQLException {
        Optional<Long> version = Jdbc.queryOne(c,
                "SELECT MAX(version) FROM room_key_backups WHERE user_id = ? AND deleted = FALSE",
                row -> {
                    long v = row.getLong(1);
                    return row.wasNull() ? Optional.<Long>empty() : Optional.of(v);
                }, userId).flatMap(v -> v);
        return version.isEmpty() ? Optional.empty() : get(c, userId, version.get());
    }

    @Override
    public Optional<Backup> get(String userId, long version) {
        return database.read(c -> get(c, userId, version));
    }

    private static Optional<Backup> get(Connection c, String userId, long version) throws SQLException {
        return Jdbc.queryOne(c, """
                SELECT b.version, b.algorithm, b.auth_data, b.etag,
                       (SELECT COUNT(*) FROM room_key_backup_sessions s WHERE s.user_id = b.user_id
                           AND s.version = b.version)
                  FROM room_key_backups b WHERE b.user_id = ? AND b.version = ? AND b.deleted = FALSE""",
                row -> new Backup(row.getLong(1), row.getString(2), row.getString(3), row.getLong(4), row.getLong(5)),
                userId, version);
    }

    @Override
    public boolean update(String userId, long version, String authData) {
        return database.write(c -> Jdbc.update(c, """
                UPDATE room_key_backups SET auth_data = ? WHERE user_id = ? AND version = ? AND deleted = FALSE""",
                authData, userId, version) > 0);
    }

    @Override
    public boolean delete(String userId, long version) {
        return database.write(c -> {
            int deleted = Jdbc.update(c, """
                    UPDATE room_key_backups SET deleted = TRUE WHERE user_id = ? AND version = ? AND deleted = FALSE""",
                    userId, version);
            Jdbc.update(c, "DELETE FROM room_key_backup_sessions WHERE user_id = ? AND version = ?", userId, version);
            return deleted > 0;
        });
    }

    @Override
    public Optional<Backup> put(String userId, long version, List<RoomKey> keys) {
        return database.write(c -> {
            // Lock the backup row first, so concurrent uploads compare against each other's keys.
            int locked = Jdbc.update(c, "UPDATE room_key_backups SET etag = etag WHERE user_id = ? AND version = ? "
                    + "AND deleted = FALSE", userId, version);
            Optional<Backup> current = latest(c, userId);
            if (locked == 0 || current.isEmpty() || current.get().version() != version) {
                return Optional.<Backup>empty();
            }
            boolean changed = false;
            for (RoomKey key : keys) {
                Optional<RoomKey> existing = keys(c, userId, version, Optional.of(key.roomId()),
                        Optional.of(key.sessionId())).stream().findFirst();
                if (existing.isPresent() && !better(key, existing.get())) {
                    continue;
                }
                Jdbc.update(c, """
                        INSERT INTO room_key_backup_sessions (user_id, version, room_id, session_id,
                            first_message_index, forwarded_count, is_verified, session_data)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (user_id, version, room_id, session_id) DO UPDATE
                           SET first_message_index = excluded.first_message_index,
                               forwarded_count = excluded.forwarded_count, is_verified = excluded.is_verified,
                               session_data = excluded.session_data""",
                        userId, version, key.roomId(), key.sessionId(), key.firstMessageIndex(),
                        key.forwardedCount(), key.verified(), key.sessionData());
                changed = true;
            }
            if (changed) {
                Jdbc.update(c, "UPDATE room_key_backups SET etag = etag + 1 WHERE user_id = ? AND version = ?",
                        userId, version);
            }
            return get(c, userId, version);
        });
    }

    /**
     * Whether a new key replaces the stored one (spec: "Server-side key backups"): verified beats unverified, then
     * the lower first_message_index, then the lower forwarded_count; an equal key replaces nothing.
     */
    static boolean better(RoomKey candidate, RoomKey stored) {
        if (candidate.verified() != stored.verified()) {
            return candidate.verified();
        }
        if (candidate.firstMessageIndex() != stored.firstMessageIndex()) {
            return candidate.firstMessageIndex() < stored.firstMessageIndex();
        }
        return candidate.forwardedCount() < stored.forwardedCount();
    }

    @Override
    public List<RoomKey> keys(String userId, long version, Optional<String> roomId, Optional<String> sessionId) {
        return database.read(c -> keys(c, userId, version, roomId, sessionId));
    }

    private static List<RoomKey> keys(Connection c, String userId, long version, Optional<String> roomId,
                                      Optional<String> sessionId) throws SQLException {
        var sql = new StringBuilder("""
                SELECT room_id, session_id, first_message_index, forwarded_count, is_verified, session_data
                  FROM room_key_backup_sessions WHERE user_id = ? AND version = ?""");
        var params = new ArrayList<Object>(List.of(userId, version));
        if (roomId.isPresent()) {
            sql.append(" AND room_id = ?");
            params.add(roomId.get());
        }
        if (sessionId.isPresent()) {
            sql.append(" AND session_id = ?");
            params.add(sessionId.get());
        }
        sql.append(" ORDER BY room_id, session_id");
        return Jdbc.queryList(c, sql.toString(), row -> new RoomKey(row.getString(1), row.getString(2),
                row.getLong(3), row.getLong(4), row.getBoolean(5), row.getString(6)), params.toArray());
    }

    @Override
    public Optional<Backup> deleteKeys(String userId, long version, Optional<String> roomId,
                                       Optional<String> sessionId) {
        return database.write(c -> {
            if (get(c, userId, version).isEmpty()) {
                return Optional.<Backup>empty();
            }
            var sql = new StringBuilder("DELETE FROM room_key_backup_sessions WHERE user_id = ? AND version = ?");
            var params = new ArrayList<Object>(List.of(userId, version));
            if (roomId.isPresent()) {
                sql.append(" AND room_id = ?");
                params.add(roomId.get());
            }
            if (sessionId.isPresent()) {
                sql.append(" AND session_id = ?");
                params.add(sessionId.get());
            }
            if (Jdbc.update(c, sql.toString(), params.toArray()) > 0) {
                Jdbc.update(c, "UPDATE room_key_backups SET etag = etag + 1 WHERE user_id = ? AND version = ?",
                        userId, version);
            }
            return get(c, userId, version);
        });
    }
}
