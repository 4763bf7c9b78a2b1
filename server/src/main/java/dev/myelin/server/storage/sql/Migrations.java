package dev.myelin.server.storage.sql;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Brings the schema up to date with the Flyway migrations in {@code db/migration}, shared by both databases.
 *
 * <p>Loading Flyway costs a few hundred milliseconds of a cold start, so a database whose history already reaches
 * {@link #LATEST_VERSION} is opened without it.
 */
final class Migrations {
    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    /** The highest {@code V<n>__*.sql}; bump it with every new migration (MigrationsTest checks). */
    static final int LATEST_VERSION = 32;

    private Migrations() {}

    static void migrate(DataSource dataSource, Dialect dialect) {
        long start = System.nanoTime();
        if (appliedVersion(dataSource) >= LATEST_VERSION) {
            log.info("schema at version {}, checked in {} ms", LATEST_VERSION, millisSince(start));
            return;
        }
        MigrateResult result = Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .placeholders(dialect.migrationPlaceholders())
                .loggers("slf4j")
                .cleanDisabled(true)
                .skipDefaultCallbacks(true)
                .load()
                .migrate();
        log.info("schema migrated to version {} ({} migrations applied) in {} ms", result.targetSchemaVersion,
                result.migrationsExecuted, millisSince(start));
    }

    /** The highest successfully applied migration, 0 for a new database. */
    private static int appliedVersion(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT version FROM flyway_schema_history WHERE success = TRUE AND version IS NOT NULL")) {
            int highest = 0;
            while (rows.next()) {
                highest = Math.max(highest, Integer.parseInt(rows.getString(1)));
            }
            return highest;
        } catch (SQLException noHistoryYet) {
            return 0;
        }
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
