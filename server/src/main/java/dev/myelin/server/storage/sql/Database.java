package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.DatabaseSettings;
import dev.myelin.server.storage.StorageException;

import java.util.List;

/**
 * Transactional access to the migrated database. Each {@link #read} or {@link #write} is one transaction: committed
 * when the work returns, rolled back when it throws. {@link java.sql.SQLException}s surface as
 * {@link StorageException}; any other exception from the work is rethrown as is. Safe to call from virtual threads.
 */
public interface Database extends AutoCloseable, dev.myelin.server.storage.ReadsTogether {

    /** Opens the database described by the settings and brings its schema up to date. */
    static Database open(DatabaseSettings settings) {
        return switch (settings.kind()) {
            case SQLITE -> SqliteDatabase.open(settings);
            case POSTGRES -> PostgresDatabase.open(settings);
        };
    }

    /** Runs work that only reads, on a snapshot of committed data. */
    <T> T read(SqlWork<T> work);

    /**
     * Runs work that reads with exactly one statement, which is consistent by itself: on PostgreSQL outside any
     * transaction (autocommit), which saves the round trip that ends one; elsewhere the same as {@link #read}.
     */
    default <T> T readOneStatement(SqlWork<T> work) {
        return read(work);
    }

    /**
     * Runs code that reads through many store calls with all those reads in one read transaction: one snapshot,
     * taken by the first read, and on SQLite one trip to a reader thread instead of one per read. Writes inside still
     * run as transactions of their own, and the reads after them do not see them. For request handlers that read a
     * lot, such as /sync.
     */
    @Override
    <T> T readingTogether(java.util.function.Supplier<T> code);

    /** Runs work that writes. Do not call from inside other work: transactions do not nest. */
    <T> T write(SqlWork<T> work);

    Dialect dialect();

    /** Numbers the events stream; one per database, so every store of this process reads the same "current". */
    EventsStream eventsStream();

    List<PoolStats> poolStats();

    /**
     * Closes every connection; stop taking requests first. SQLite finishes queued and running work and checkpoints
     * its WAL; HikariCP aborts PostgreSQL work still running, which rolls it back. Later calls to read or write throw
     * {@link IllegalStateException}.
     */
    @Override
    void close();
}
