package dev.myelin.server.storage.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.myelin.server.storage.DatabaseSettings;
import dev.myelin.server.storage.StorageException;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Supplier;

/**
 * PostgreSQL through two HikariCP pools; work runs on the caller's (virtual) thread. Reads take their connections
 * from a pool whose connections are read-only and REPEATABLE READ by default (one snapshot per transaction, as on
 * SQLite, with no statement per transaction to say so), writes from a READ COMMITTED pool. Code that reads together
 * may write meanwhile, so it holds a read connection while it waits for a write connection, never the other way
 * round: the two pools cannot deadlock each other.
 */
final class PostgresDatabase implements Database {
    private final HikariDataSource writes;
    private final HikariDataSource reads;
    private final SequencedEventsStream eventsStream;

    private PostgresDatabase(HikariDataSource writes, HikariDataSource reads) {
        this.writes = writes;
        this.reads = reads;
        this.eventsStream = SequencedEventsStream.open(this);
    }

    /** Opens {@code max_pool_size} connections at most, half of them (at least one) for writes. */
    static PostgresDatabase open(DatabaseSettings settings) {
        int writeConnections = Math.max(1, settings.maxPoolSize() / 2);
        int readConnections = Math.max(1, settings.maxPoolSize() - writeConnections);
        HikariDataSource writes = pool(settings, "postgres-writes", writeConnections, false);
        HikariDataSource reads;
        try {
            Migrations.migrate(writes, Dialect.POSTGRES);
            reads = pool(settings, "postgres-reads", readConnections, true);
        } catch (RuntimeException e) {
            writes.close();
            throw e;
        }
        return new PostgresDatabase(writes, reads);
    }

    private static HikariDataSource pool(DatabaseSettings settings, String name, int size, boolean readOnly) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(settings.postgresUrl());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(Math.min(2, size));
        config.setAutoCommit(false);
        config.setReadOnly(readOnly);
        config.setTransactionIsolation(readOnly ? "TRANSACTION_REPEATABLE_READ" : "TRANSACTION_READ_COMMITTED");
        // A batch of INSERTs (Jdbc.updateBatch) goes as multi-row INSERTs rather than one statement per row.
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StorageException("cannot connect to PostgreSQL at " + settings.postgresUrl() + ": "
                    + e.getMessage(), e);
        }
    }

    /** A read-only REPEATABLE READ transaction: one snapshot for all its statements. */
    @Override
    public <T> T read(SqlWork<T> work) {
        if (SharedRead.active()) {
            return SharedRead.read(work);
        }
        Transaction.checkNotNested();
        try (Connection connection = connection(reads)) {
            return Transaction.run(connection, work);
        } catch (SQLException e) {
            throw closeFailed(e);
        }
    }

    @Override
    public <T> T readOneStatement(SqlWork<T> work) {
        if (SharedRead.active()) {
            return SharedRead.read(work);
        }
        Transaction.checkNotNested();
        try (Connection connection = connection(reads)) {
            return Transaction.runAutoCommitted(connection, work);
        } catch (SQLException e) {
            throw closeFailed(e);
        }
    }

    /**
     * One read transaction for all of the code's reads. Its snapshot is taken by its first statement, after the
     * events stream's readable position was noted, so inside it that noted position is the events stream's current
     * one: everything up to it is in the snapshot.
     */
    @Override
    public <T> T readingTogether(Supplier<T> code) {
        if (SharedRead.active()) {
            return code.get();
        }
        Transaction.checkNotNested();
        long readable = eventsStream.current();
        try (Connection connection = connection(reads)) {
            return SharedRead.run(connection, () -> eventsStream.currentFixedAt(readable, code));
        } catch (SQLException e) {
            throw closeFailed(e);
        }
    }

    /** A READ COMMITTED transaction: lock what must not change under you (SELECT ... FOR UPDATE). */
    @Override
    public <T> T write(SqlWork<T> work) {
        Transaction.checkNotNested();
        try (Connection connection = connection(writes)) {
            return Transaction.run(connection, work);
        } catch (SQLException e) {
            throw closeFailed(e);
        }
    }

    private static Connection connection(HikariDataSource pool) {
        if (pool.isClosed()) {
            throw new IllegalStateException("the database is closed");
        }
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw new StorageException("PostgreSQL connection failed: " + e.getMessage(), e);
        }
    }

    private static StorageException closeFailed(SQLException e) {
        return new StorageException("PostgreSQL connection failed: " + e.getMessage(), e);
    }

    @Override
    public Dialect dialect() {
        return Dialect.POSTGRES;
    }

    @Override
    public EventsStream eventsStream() {
        return eventsStream;
    }

    @Override
    public List<PoolStats> poolStats() {
        return List.of(stats(writes), stats(reads));
    }

    private static PoolStats stats(HikariDataSource pool) {
        HikariPoolMXBean bean = pool.getHikariPoolMXBean();
        return new PoolStats(pool.getPoolName(), bean.getActiveConnections(), bean.getIdleConnections(),
                bean.getThreadsAwaitingConnection(), bean.getTotalConnections());
    }

    @Override
    public void close() {
        reads.close();
        writes.close();
    }
}
