package dev.myelin.server.storage.sql;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class MigrationsTest {
    private static final Pattern VERSIONED = Pattern.compile("V(\\d+)__\\w+\\.sql");

    @Test
    void latestVersionNamesTheNewestMigration() throws IOException, URISyntaxException {
        Path dir = Path.of(getClass().getClassLoader().getResource("db/migration").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            int newest = files.map(f -> VERSIONED.matcher(f.getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToInt(m -> Integer.parseInt(m.group(1)))
                    .max().orElse(0);

            assertThat(Migrations.LATEST_VERSION).isEqualTo(newest);
        }
    }
}
