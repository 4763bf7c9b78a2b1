package dev.myelin.server.storage.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.myelin.server.storage.DatabaseSettings;
import dev.myelin.server.storage.StorageException;

import java.sql.Connection;
import java.sql.SQLException;
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
        HikariDataSource pool = new HikariDataSource(config);
        try {
            Migrations.migrate(pool, Dialect.POSTGRES);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new PostgresDatabase(pool);
    }

    @Override
    public <T> T read(SqlWork<T> work) {
        return run(true, work);
    }

    @Override
    public <T> T write(SqlWork<T> work) {
        return run(false, work);
    }

    private <T> T run(boolean readOnly, SqlWork<T> work) {
        Transaction.checkNotNested();
        try (Connection connection = pool.getConnection()) {
            connection.setReadOnly(readOnly);
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
