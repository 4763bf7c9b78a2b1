package dev.myelin.server.storage;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the database lives. The configuration maps YAML into this record.
 *
 * @param kind        which backend
 * @param sqlitePath  the SQLite file (SQLITE only)
 * @param postgresUrl the JDBC URL, e.g. {@code jdbc:postgresql://localhost/myelin} (POSTGRES only)
 * @param user        PostgreSQL user (POSTGRES only, may be null)
 * @param password    PostgreSQL password (POSTGRES only, may be null)
 * @param maxPoolSize PostgreSQL: maximum connections; SQLite: number of reader connections
 */
public record DatabaseSettings(Kind kind, Path sqlitePath, String postgresUrl, String user, String password,
                               int maxPoolSize) {

    public enum Kind { SQLITE, POSTGRES }

    public static final int DEFAULT_SQLITE_READERS = 4;
    public static final int DEFAULT_POSTGRES_POOL_SIZE = 10;

    public DatabaseSettings {
        Objects.requireNonNull(kind, "kind");
        if (maxPoolSize < 1) {
            throw new IllegalArgumentException("database pool size must be at least 1, got " + maxPoolSize);
        }
        switch (kind) {
            case SQLITE -> Objects.requireNonNull(sqlitePath, "SQLite database path");
            case POSTGRES -> {
                Objects.requireNonNull(postgresUrl, "PostgreSQL JDBC URL");
                if (!postgresUrl.startsWith("jdbc:postgresql:")) {
                    throw new IllegalArgumentException("PostgreSQL URL must start with jdbc:postgresql:, got " + postgresUrl);
                }
            }
        }
    }

    public static DatabaseSettings sqlite(Path file) {
        return new DatabaseSettings(Kind.SQLITE, file, null, null, null, DEFAULT_SQLITE_READERS);
    }

    public static DatabaseSettings postgres(String jdbcUrl, String user, String password, int maxPoolSize) {
        return new DatabaseSettings(Kind.POSTGRES, null, jdbcUrl, user, password, maxPoolSize);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return switch (kind) {
            case SQLITE -> "SQLite " + sqlitePath + " (" + maxPoolSize + " readers)";
            case POSTGRES -> "PostgreSQL " + postgresUrl + " as " + user + " (pool " + maxPoolSize + ")";
        };
    }
}
