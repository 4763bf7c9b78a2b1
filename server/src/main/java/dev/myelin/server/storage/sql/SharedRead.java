package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.StorageException;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;

/**
 * One read transaction shared by every read a piece of code makes (see {@link Database#readingTogether}): while it
 * is open on a thread, {@link Database#read} runs its work on the shared connection instead of beginning a
 * transaction of its own.
 */
final class SharedRead {
    private static final ScopedValue<Connection> CONNECTION = ScopedValue.newInstance();

    private SharedRead() {}

    static boolean active() {
        return CONNECTION.isBound();
    }

    static <T> T read(SqlWork<T> work) {
        return Transaction.runWithin(CONNECTION.get(), work);
    }

    /** Runs code with {@code connection} shared by its reads, then ends the (read-only) transaction. */
    static <T> T run(Connection connection, Supplier<T> code) {
        try {
            return ScopedValue.where(CONNECTION, connection).call(code::get);
        } finally {
            try {
                connection.rollback();
            } catch (SQLException e) {
                throw new StorageException("ending a read transaction failed: " + e.getMessage(), e);
            }
        }
    }
}
