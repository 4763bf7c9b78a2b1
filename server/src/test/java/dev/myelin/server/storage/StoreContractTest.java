package dev.myelin.server.storage;

import dev.myelin.server.storage.sql.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;

/**
 * Base of every store's tests: each test runs once on SQLite (a temp file) and once on PostgreSQL (a fresh
 * database, see {@link TestPostgres}), with {@link #database} open and migrated. Subclasses just write
 * {@code @Test} methods.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
public abstract class StoreContractTest {
    @Parameter
    protected Backend backend;

    @TempDir
    protected Path tempDir;

    protected Database database;
    private DatabaseSettings settings;

    @BeforeEach
    void openDatabase() {
        settings = switch (backend) {
            case SQLITE -> DatabaseSettings.sqlite(tempDir.resolve("myelin.db"));
            case POSTGRES -> TestPostgres.get().createDatabase();
        };
        database = Database.open(settings);
    }

    @AfterEach
    void closeDatabase() {
        if (database != null) {
            database.close();
        }
        if (backend == Backend.POSTGRES && settings != null) {
            TestPostgres.get().dropDatabase(settings);
        }
    }

    /** Closes and opens the same database again, as a server restart would. */
    protected Database reopen() {
        database.close();
        database = Database.open(settings);
        return database;
    }
}
