package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.StorageException;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;

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

    /**
     * Runs work of one statement with auto-commit on, so no transaction has to be ended after it; the connection's
     * auto-commit is off again afterwards (on pgjdbc, switching it outside a transaction sends nothing).
     */
    static <T> T runAutoCommitted(Connection connection, SqlWork<T> work) {
        try {
            connection.setAutoCommit(true);
            try {
                return ScopedValue.where(RUNNING, true).call(() -> work.run(connection));
            } finally {
                connection.setAutoCommit(false);
            }
        } catch (SQLException e) {
            throw new StorageException("database work failed: " + e.getMessage(), e);
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

    /**
     * Runs work inside a savepoint of a transaction that someone else began and will end (see
     * {@link GroupCommitWriter}): when it fails, what it wrote is rolled back and the failure rethrown.
     *
     * @throws SavepointLost when the savepoint could not be rolled back, so the whole transaction is lost
     */
    static <T> T runInSavepoint(Connection connection, SqlWork<T> work) {
        Savepoint savepoint;
        try {
            savepoint = connection.setSavepoint();
        } catch (SQLException e) {
            throw new SavepointLost(e);
        }
        try {
            T result = ScopedValue.where(RUNNING, true).call(() -> work.run(connection));
            connection.releaseSavepoint(savepoint);
            return result;
        } catch (SQLException e) {
            rollbackTo(connection, savepoint, e);
            throw new StorageException("database work failed: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            rollbackTo(connection, savepoint, e);
            throw e;
        }
    }

    private static void rollbackTo(Connection connection, Savepoint savepoint, Throwable failure) {
        try {
            connection.rollback(savepoint);
            connection.releaseSavepoint(savepoint);
        } catch (SQLException e) {
            failure.addSuppressed(e);
            throw new SavepointLost(failure);
        }
    }

    /** A savepoint could not be set or rolled back: the enclosing transaction must be rolled back whole. */
    static final class SavepointLost extends RuntimeException {
        SavepointLost(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
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
