package dev.myelin.server.storage;

import dev.myelin.server.storage.sql.Database;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL server the tests use, one per JVM, handing out a fresh, migrated database per test.
 *
 * <p>With {@code MYELIN_TEST_POSTGRES_URL} (and optionally {@code MYELIN_TEST_POSTGRES_USER},
 * {@code MYELIN_TEST_POSTGRES_PASSWORD}) set, uses that server; the user needs CREATEDB. Otherwise starts a
 * throwaway server from local PostgreSQL binaries (see {@link PostgresBinaries}), stopped when the JVM exits.
 * Without either, fails: the store contract tests must run on both databases.
 */
public final class TestPostgres {
    private static final Pattern URL = Pattern.compile("(jdbc:postgresql://[^/]+/)([^?]*)(\\?.*)?");
    private static final int POOL_SIZE = 4;
    private static TestPostgres instance;
    private static RuntimeException startFailure;

    private final String urlPrefix;
    private final String urlSuffix;
    private final String user;
    private final String password;
    private final String namePrefix = "myelin_test_" + ProcessHandle.current().pid() + "_";
    private final String template = namePrefix + "template";
    private final AtomicInteger databases = new AtomicInteger();
    private final boolean external;
    private boolean templateReady;

    private TestPostgres(String url, String user, String password, boolean external) {
        Matcher matcher = URL.matcher(url);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected jdbc:postgresql://host[:port]/database[?params], got " + url);
        }
        this.urlPrefix = matcher.group(1);
        this.urlSuffix = matcher.group(3) == null ? "" : matcher.group(3);
        this.user = user;
        this.password = password;
        this.external = external;
    }

    public static synchronized TestPostgres get() {
        if (startFailure != null) {
            throw startFailure;
        }
        if (instance == null) {
            try {
                instance = start();
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return instance;
    }

    private static TestPostgres start() {
        String url = System.getenv("MYELIN_TEST_POSTGRES_URL");
        if (url != null && !url.isBlank()) {
            return new TestPostgres(url, System.getenv("MYELIN_TEST_POSTGRES_USER"),
                    System.getenv("MYELIN_TEST_POSTGRES_PASSWORD"), true);
        }
        var bin = PostgresBinaries.find().orElseThrow(() -> new IllegalStateException("""
                The store tests need PostgreSQL and found none. Either install the server binaries \
                (Debian/Ubuntu: apt-get install -y postgresql; searched $MYELIN_TEST_POSTGRES_BIN, \
                /usr/lib/postgresql/*/bin and the PATH for initdb), or point MYELIN_TEST_POSTGRES_URL \
                (+ _USER, _PASSWORD) at a server where that user may CREATE DATABASE."""));
        try {
            PostgresServerProcess server = PostgresServerProcess.start(bin);
            Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "test-postgres-stop"));
            return new TestPostgres(server.url("postgres"), PostgresServerProcess.SUPERUSER, "", false);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the test PostgreSQL from " + bin + ": " + e.getMessage(), e);
        }
    }

    /** Creates a database with the current schema (copied from a template migrated once) and returns its settings. */
    public synchronized DatabaseSettings createDatabase() {
        if (!templateReady) {
            createTemplate();
        }
        String name = namePrefix + databases.incrementAndGet();
        admin("CREATE DATABASE " + name + " TEMPLATE " + template);
        return settings(name);
    }

    /** Creates an empty database (no schema), for tests of migrations over existing data. */
    public synchronized DatabaseSettings createEmptyDatabase() {
        String name = namePrefix + databases.incrementAndGet();
        admin("CREATE DATABASE " + name);
        return settings(name);
    }

    /** Migrating once and copying is faster than running Flyway for every test. */
    private void createTemplate() {
        admin("CREATE DATABASE " + template);
        Database.open(settings(template)).close();
        templateReady = true;
        if (external) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> admin("DROP DATABASE IF EXISTS " + template
                    + " WITH (FORCE)"), "test-postgres-drop-template"));
        }
    }

    private DatabaseSettings settings(String name) {
        return DatabaseSettings.postgres(urlPrefix + name + urlSuffix, user, password, POOL_SIZE);
    }

    public void dropDatabase(DatabaseSettings settings) {
        Matcher matcher = URL.matcher(settings.postgresUrl());
        if (matcher.matches()) {
            admin("DROP DATABASE IF EXISTS " + matcher.group(2) + " WITH (FORCE)");
        }
    }

    private void admin(String sql) {
        try (Connection connection = DriverManager.getConnection(urlPrefix + "postgres" + urlSuffix, user, password);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed on the test PostgreSQL: " + e.getMessage(), e);
        }
    }
}
