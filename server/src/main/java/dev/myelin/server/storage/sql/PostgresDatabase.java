package dev.myelin.server.storage.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.myelin.server.storage.DatabaseSettings;
import dev.myelin.server.storage.StorageException;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** PostgreSQL through a HikariCP pool; work runs on the caller's (virtual) thread. */
final class PostgresDatabase implements Database {
    private final HikariDataSource pool;

    private PostgresDatabase(HikariDataSource pool) {
        this.pool = pool;
    }

    static PostgresDatabase open(DatabaseSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("postgres");
        config.setJdbcUrl(settings.postgresUrl());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(settings.maxPoolSize());
        config.setMinimumIdle(Math.min(2, settings.maxPoolSize()));
        config.setAutoCommit(false);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StorageException("cannot connect to PostgreSQL at " + settings.postgresUrl() + ": "
                    + e.getMessage(), e);
        }
        try {
            Migrations.migrate(pool, Dialect.POSTGRES);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new PostgresDatabase(pool);
    }

    /** A read-only REPEATABLE READ transaction: one snapshot for all its statements, as on SQLite. */
    @Override
    public <T> T read(SqlWork<T> work) {
        return run(connection -> {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            return work.run(connection);
        });
    }

    @Override
    public <T> T readingTogether(java.util.function.Supplier<T> code) {
        return code.get();
    }

    /** A READ COMMITTED transaction: lock what must not change under you (SELECT ... FOR UPDATE). */
    @Override
    public <T> T write(SqlWork<T> work) {
        return run(work);
    }

    private <T> T run(SqlWork<T> work) {
        Transaction.checkNotNested();
        if (pool.isClosed()) {
            throw new IllegalStateException("the database is closed");
        }
        try (Connection connection = pool.getConnection()) {
            return Transaction.run(connection, work);
        } catch (SQLException e) {
            throw new StorageException("PostgreSQL connection failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Dialect dialect() {
        return Dialect.POSTGRES;
    }

    @Override
    public List<PoolStats> poolStats() {
        HikariPoolMXBean bean = pool.getHikariPoolMXBean();
        return List.of(new PoolStats("postgres", bean.getActiveConnections(), bean.getIdleConnections(),
                bean.getThreadsAwaitingConnection(), bean.getTotalConnections()));
    }

    @Override
    public void close() {
        pool.close();
    }
}
