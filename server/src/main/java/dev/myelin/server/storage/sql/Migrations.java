package dev.myelin.server.storage.sql;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;

/** Brings the schema up to date with the Flyway migrations in {@code db/migration}, shared by both databases. */
final class Migrations {
    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    private Migrations() {}

    static void migrate(DataSource dataSource, Dialect dialect) {
        long start = System.nanoTime();
        MigrateResult result = Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .placeholders(dialect.migrationPlaceholders())
                .loggers("slf4j")
                .cleanDisabled(true)
                .load()
                .migrate();
        long millis = (System.nanoTime() - start) / 1_000_000;
        String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
        log.info("schema at version {} ({} migrations applied) in {} ms", version, result.migrationsExecuted, millis);
    }
}
