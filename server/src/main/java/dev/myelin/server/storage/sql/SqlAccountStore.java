package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.AccountStore;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

public final class SqlAccountStore implements AccountStore {
    private final Database database;

    public SqlAccountStore(Database database) {
        this.database = database;
    }

    @Override
    public Optional<Account> find(String userId) {
        return database.read(connection -> Jdbc.queryOne(connection, "SELECT * FROM users WHERE user_id = ?",
                row -> new Account(row.getString("user_id"), Optional.ofNullable(row.getString("password_hash")),
                        row.getBoolean("is_guest"), row.getBoolean("is_admin"), row.getBoolean("deactivated"),
                        row.getLong("created_ts"), row.getBoolean("locked"), row.getBoolean("suspended")),
                userId));
    }

    @Override
    public boolean create(Account account, Optional<NewSession> session, Optional<String> registrationToken) {
        try {
            return database.write(connection -> {
                Jdbc.update(connection, """
                        INSERT INTO users (user_id, password_hash, is_guest, is_admin, deactivated, created_ts)
                        VALUES (?, ?, ?, ?, ?, ?)""",
                        account.userId(), account.passwordHash(), account.guest(), account.admin(),
                        account.deactivated(), account.createdTs());
                if (session.isPresent()) {
                    SqlDeviceStore.startSession(connection, session.get());
                }
                if (registrationToken.isPresent()) {
                    completeRegistrationToken(connection, registrationToken.get());
                }
                return true;
            });
        } catch (dev.myelin.server.storage.StorageException e) {
            if (e.getCause() instanceof SQLException sql && database.dialect().isUniqueViolation(sql)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean upgradeGuest(String userId, String passwordHash, Optional<NewSession> session,
                                Optional<String> registrationToken) {
        return database.write(connection -> {
            if (Jdbc.update(connection,
                    "UPDATE users SET is_guest = ?, password_hash = ? WHERE user_id = ? AND is_guest = ? AND deactivated = ?",
                    false, passwordHash, userId, true, false) == 0) {
                return false;
            }
            if (session.isPresent()) {
                SqlDeviceStore.startSession(connection, session.get());
            }
            if (registrationToken.isPresent()) {
                completeRegistrationToken(connection, registrationToken.get());
            }
            return true;
        });
    }

    /** Moves one use of a registration token from pending to completed. */
    private static void completeRegistrationToken(java.sql.Connection connection, String token) throws SQLException {
        Jdbc.update(connection, "UPDATE registration_tokens SET pending = CASE WHEN pending > 0 THEN pending - 1 ELSE 0 END,"
                + " completed = completed + 1 WHERE token = ?", token);
    }

    @Override
    public boolean setAdmin(String userId, boolean admin) {
        return database.write(connection ->
                Jdbc.update(connection, "UPDATE users SET is_admin = ? WHERE user_id = ?", admin, userId) > 0);
    }

    @Override
    public boolean setLocked(String userId, boolean locked) {
        return database.write(connection ->
                Jdbc.update(connection, "UPDATE users SET locked = ? WHERE user_id = ?", locked, userId) > 0);
    }

    @Override
    public boolean setSuspended(String userId, boolean suspended) {
        return database.write(connection ->
                Jdbc.update(connection, "UPDATE users SET suspended = ? WHERE user_id = ?", suspended, userId) > 0);
    }

    @Override
    public List<String> changePassword(String userId, String passwordHash, Optional<String> logoutExcept) {
        return database.write(connection -> {
            Jdbc.update(connection, "UPDATE users SET password_hash = ? WHERE user_id = ?", passwordHash, userId);
            return logoutExcept.isPresent()
                    ? SqlDeviceStore.deleteAllExcept(connection, userId, logoutExcept.get())
                    : List.<String>of();
        });
    }

    @Override
    public void deactivate(String userId) {
        database.write(connection -> {
            Jdbc.update(connection, "UPDATE users SET deactivated = ? WHERE user_id = ?",
                    true, userId);
            SqlDeviceStore.deleteAllExcept(connection, userId, "");
            Jdbc.update(connection, "DELETE FROM login_tokens WHERE user_id = ?", userId);
            return null;
        });
    }

    @Override
    public void createLoginToken(String tokenHash, String userId, long expiresTs) {
        database.write(connection -> {
            Jdbc.update(connection, "DELETE FROM login_tokens WHERE expires_ts < ?", expiresTs - 3_600_000L);
            return Jdbc.update(connection, "INSERT INTO login_tokens (token_hash, user_id, expires_ts) VALUES (?, ?, ?)",
                    tokenHash, userId, expiresTs);
        });
    }

    @Override
    public Optional<String> consumeLoginToken(String tokenHash, long nowTs) {
        return database.write(connection -> {
            Optional<String> user = Jdbc.queryOne(connection,
                    "SELECT user_id FROM login_tokens WHERE token_hash = ? AND expires_ts > ?",
                    row -> row.getString(1), tokenHash, nowTs);
            Jdbc.update(connection, "DELETE FROM login_tokens WHERE token_hash = ?", tokenHash);
            return user;
        });
    }
}
