package dev.myelin.server.testing;

import dev.myelin.server.Homeserver;
import dev.myelin.server.config.ConfigLoader;
import dev.myelin.server.config.ConfigTemplate;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.storage.DatabaseSettings;
import dev.myelin.server.storage.TestPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A real homeserver on a free port in a temporary folder, for endpoint tests. */
public final class TestHomeserver implements AutoCloseable {
    private final Path dir;
    private final Homeserver homeserver;
    private final DatabaseSettings postgres;

    private TestHomeserver(Path dir, Homeserver homeserver, DatabaseSettings postgres) {
        this.dir = dir;
        this.homeserver = homeserver;
        this.postgres = postgres;
    }

    /**
     * Starts on the given database: SQLite in the temp folder, or a fresh database of the test PostgreSQL (dropped on
     * close). Account rate limits are off unless an override sets them.
     */
    public static TestHomeserver start(Backend backend, String... overrides) throws Exception {
        var all = new ArrayList<>(List.of(
                "rate_limits.login.per_second=0", "rate_limits.registration.per_second=0",
                "rate_limits.password_change.per_second=0"));
        DatabaseSettings postgres = null;
        if (backend == Backend.POSTGRES) {
            postgres = TestPostgres.get().createDatabase();
            all.addAll(List.of("database.kind=postgres", "database.url=" + postgres.postgresUrl(),
                    "database.user=" + postgres.user(), "database.password=" + nullToEmpty(postgres.password())));
        }
        all.addAll(List.of(overrides));
        try {
            return startOn(postgres, all.toArray(String[]::new));
        } catch (Exception | Error e) {
            if (postgres != null) {
                TestPostgres.get().dropDatabase(postgres);
            }
            throw e;
        }
    }

    private static String nullToEmpty(String value) {
        return value == null ? "''" : value;
    }

    /** Starts with the default config for server name "test.local", plus {@code overrides}. */
    public static TestHomeserver start(String... overrides) throws Exception {
        return startOn(null, overrides);
    }

    private static TestHomeserver startOn(DatabaseSettings postgres, String... overrides) throws Exception {
        Path dir = Files.createTempDirectory("myelin-test");
        Path file = dir.resolve("myelin.yaml");
        ConfigTemplate.writeIfMissing(file, "test.local", 0);
        var all = new ArrayList<>(List.of("listeners.0.bind_address=127.0.0.1", "log_level=warn"));
        all.addAll(List.of(overrides));
        return new TestHomeserver(dir, Homeserver.start(ConfigLoader.load(file, all)), postgres);
    }

    public Homeserver homeserver() {
        return homeserver;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + homeserver.port(0);
    }

    public TestClient client() {
        return new TestClient(baseUrl());
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws Exception {
        try {
            homeserver.close();
        } finally {
            deleteTree(dir);
            if (postgres != null) {
                TestPostgres.get().dropDatabase(postgres);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
