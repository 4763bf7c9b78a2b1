package dev.myelin.server.testing;

import dev.myelin.server.Homeserver;
import dev.myelin.server.config.ConfigLoader;
import dev.myelin.server.config.ConfigTemplate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A real homeserver on a free port in a temporary folder, for endpoint tests. */
public final class TestHomeserver implements AutoCloseable {
    private final Path dir;
    private final Homeserver homeserver;

    private TestHomeserver(Path dir, Homeserver homeserver) {
        this.dir = dir;
        this.homeserver = homeserver;
    }

    /** Starts with the default config for server name "test.local", plus {@code overrides}. */
    public static TestHomeserver start(String... overrides) throws Exception {
        Path dir = Files.createTempDirectory("myelin-test");
        Path file = dir.resolve("myelin.yaml");
        ConfigTemplate.writeIfMissing(file, "test.local", 0);
        var all = new ArrayList<>(List.of("listeners.0.bind_address=127.0.0.1", "log_level=warn"));
        all.addAll(List.of(overrides));
        return new TestHomeserver(dir, Homeserver.start(ConfigLoader.load(file, all)));
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
        homeserver.close();
        deleteTree(dir);
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
