package dev.myelin.server.storage.sql;

import dev.myelin.server.storage.Backend;
import dev.myelin.server.storage.DatabaseSettings;
import dev.myelin.server.storage.TestPostgres;
import org.flywaydb.core.Flyway;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A database migrated only up to an older version, for tests of what a later migration does to data stored before
 * it: fill it through {@link #connect()}, then {@link Database#open} it with {@link #settings()} to migrate the rest.
 */
record OldSchema(Backend backend, DatabaseSettings settings, String url) {

    static OldSchema migratedTo(Backend backend, Path tempDir, int version) {
        DatabaseSettings settings = switch (backend) {
            case SQLITE -> DatabaseSettings.sqlite(tempDir.resolve("myelin.db"));
            case POSTGRES -> TestPostgres.get().createEmptyDatabase();
        };
        Dialect dialect = backend == Backend.SQLITE ? Dialect.SQLITE : Dialect.POSTGRES;
        String url = backend == Backend.SQLITE ? "jdbc:sqlite:" + settings.sqlitePath() : settings.postgresUrl();
        Flyway.configure(OldSchema.class.getClassLoader()).dataSource(url, settings.user(), settings.password())
                .locations("classpath:db/migration").placeholders(dialect.migrationPlaceholders())
                .target(Integer.toString(version)).load().migrate();
        return new OldSchema(backend, settings, url);
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, settings.user(), settings.password());
    }

    /** Drops the PostgreSQL database (a SQLite file goes with the test's temporary folder). */
    void drop() {
        if (backend == Backend.POSTGRES) {
            TestPostgres.get().dropDatabase(settings);
        }
    }
}
