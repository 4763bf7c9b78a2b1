package dev.myelin.server.storage;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the directory holding PostgreSQL's {@code initdb} and {@code postgres}: {@code $MYELIN_TEST_POSTGRES_BIN},
 * else the newest {@code /usr/lib/postgresql/<version>/bin} (Debian, Ubuntu), else {@code initdb} on the PATH.
 */
public final class PostgresBinaries {
    private PostgresBinaries() {}

    public static Optional<Path> find() {
        String configured = System.getenv("MYELIN_TEST_POSTGRES_BIN");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(PostgresBinaries::hasInitdb);
        }
        return debian().or(PostgresBinaries::onPath);
    }

    private static Optional<Path> debian() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                    .max(Comparator.comparingDouble(v -> Double.parseDouble(v.getFileName().toString())))
                    .map(v -> v.resolve("bin"))
                    .filter(PostgresBinaries::hasInitdb);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> onPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator)).map(Path::of).filter(PostgresBinaries::hasInitdb).findFirst();
    }

    private static boolean hasInitdb(Path dir) {
        return Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("postgres"));
    }
}
