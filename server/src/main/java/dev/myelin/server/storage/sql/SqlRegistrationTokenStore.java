package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.RegistrationTokenStore;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

public final class SqlRegistrationTokenStore implements RegistrationTokenStore {
    private final Database database;

    public SqlRegistrationTokenStore(Database database) {
        this.database = database;
    }

    private static RegistrationToken token(ResultSet row) throws SQLException {
        int uses = row.getInt("uses_allowed");
        OptionalInt usesAllowed = row.wasNull() ? OptionalInt.empty() : OptionalInt.of(uses);
        long expiry = row.getLong("expiry_time");
        OptionalLong expiryTime = row.wasNull() ? OptionalLong.empty() : OptionalLong.of(expiry);
        return new RegistrationToken(row.getString("token"), usesAllowed, row.getInt("pending"),
                row.getInt("completed"), expiryTime);
    }

    private static Object value(OptionalInt value) {
        return value.isPresent() ? value.getAsInt() : null;
    }

    private static Object value(OptionalLong value) {
        return value.isPresent() ? value.getAsLong() : null;
    }

    @Override
    public List<RegistrationToken> list() {
        return database.read(connection -> Jdbc.query(connection,
                "SELECT * FROM registration_tokens ORDER BY token", SqlRegistrationTokenStore::token));
    }

    @Override
    public Optional<RegistrationToken> find(String token) {
        return database.read(connection -> Jdbc.queryOne(connection,
                "SELECT * FROM registration_tokens WHERE token = ?", SqlRegistrationTokenStore::token, token));
    }

    @Override
    public boolean create(String token, OptionalInt usesAllowed, OptionalLong expiryTime) {
        return database.write(connection -> Jdbc.update(connection, """
                INSERT INTO registration_tokens (token, uses_allowed, pending, completed, expiry_time)
                VALUES (?, ?, 0, 0, ?) ON CONFLICT (token) DO NOTHING""",
                token, value(usesAllowed), value(expiryTime)) > 0);
    }

    @Override
    public Optional<RegistrationToken> update(String token, Optional<OptionalInt> usesAllowed,
                                              Optional<OptionalLong> expiryTime) {
        return database.write(connection -> {
            if (usesAllowed.isPresent()) {
                Jdbc.update(connection, "UPDATE registration_tokens SET uses_allowed = ? WHERE token = ?",
                        value(usesAllowed.get()), token);
            }
            if (expiryTime.isPresent()) {
                Jdbc.update(connection, "UPDATE registration_tokens SET expiry_time = ? WHERE token = ?",
                        value(expiryTime.get()), token);
            }
            return Jdbc.queryOne(connection, "SELECT * FROM registration_tokens WHERE token = ?",
                    SqlRegistrationTokenStore::token, token);
        });
    }

    @Override
    public boolean delete(String token) {
        return database.write(connection ->
                Jdbc.update(connection, "DELETE FROM registration_tokens WHERE token = ?", token) > 0);
    }

    @Override
    public boolean reservePending(String token, long nowTs) {
        return database.write(connection -> Jdbc.update(connection, """
                UPDATE registration_tokens SET pending = pending + 1
                 WHERE token = ?
                   AND (uses_allowed IS NULL OR pending + completed < uses_allowed)
                   AND (expiry_time IS NULL OR expiry_time > ?)""", token, nowTs) > 0);
    }

    @Override
    public void releasePending(String token) {
        database.write(connection -> Jdbc.update(connection,
                "UPDATE registration_tokens SET pending = pending - 1 WHERE token = ? AND pending > 0", token));
    }
}
