package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.StorageException;

import java.sql.Connection;
import java.sql.SQLException;

/** Runs work as one transaction on a connection whose auto-commit is off. */
final class Transaction {
    private static final ScopedValue<Boolean> RUNNING = ScopedValue.newInstance();

    private Transaction() {}

    /** Fails fast when work calls read or write again: that would be a second transaction, or a deadlock. */
    static void checkNotNested() {
        if (RUNNING.isBound()) {
            throw new IllegalStateException("database work must not start another transaction; pass the Connection on");
        }
    }

    static <T> T run(Connection connection, SqlWork<T> work) {
        try {
            T result = ScopedValue.where(RUNNING, true).call(() -> work.run(connection));
            connection.commit();
            return result;
        } catch (SQLException e) {
            rollback(connection, e);
            throw new StorageException("database work failed: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            rollback(connection, e);
            throw e;
        }
    }

    /** Runs work inside a transaction that someone else began and will end (see {@link SharedRead}). */
    static <T> T runWithin(Connection connection, SqlWork<T> work) {
        try {
            return ScopedValue.where(RUNNING, true).call(() -> work.run(connection));
        } catch (SQLException e) {
            throw new StorageException("database work failed: " + e.getMessage(), e);
        }
    }

    private static void rollback(Connection connection, Throwable failure) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }
}
