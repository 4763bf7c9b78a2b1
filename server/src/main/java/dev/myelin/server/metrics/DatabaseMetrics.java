package dev.myelin.server.metrics;

import dev.myelin.server.storage.sql.Database;
import dev.myelin.server.storage.sql.PoolStats;

import java.util.function.ToIntFunction;

/** Connection pool gauges, and the liveness probe the health endpoint uses. */
public final class DatabaseMetrics {
    private DatabaseMetrics() {
    }

    public static void register(Metrics metrics, Database database) {
        gauge(metrics, database, "myelin_db_connections_active", "Database connections running work", PoolStats::active);
        gauge(metrics, database, "myelin_db_connections_idle", "Open database connections waiting for work", PoolStats::idle);
        gauge(metrics, database, "myelin_db_work_pending", "Database work waiting for a connection", PoolStats::pending);
    }

    private static void gauge(Metrics metrics, Database database, String name, String help, ToIntFunction<PoolStats> value) {
        metrics.gauge(name, help, () -> database.poolStats().stream().mapToInt(value).sum());
    }

    /** Whether the database answers a trivial query. */
    public static boolean answers(Database database) {
        try {
            return database.read(connection -> {
                try (var statement = connection.createStatement(); var result = statement.executeQuery("SELECT 1")) {
                    return result.next();
                }
            });
        } catch (RuntimeException e) {
            return false;
        }
    }
}
