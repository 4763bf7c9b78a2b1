package dev.myelin.server.media;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HashingFileOutputTest {
    @TempDir
    Path dir;

    @Test
    void theFileAndItsHashAreThoseOfTheBytesWrittenWhateverTheirSizeAndSplit() throws Exception {
        var random = new Random(7);
        for (int size : new int[]{0, 1, 256 * 1024 - 1, 256 * 1024, 256 * 1024 + 1, 3_000_000}) {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            Path file = dir.resolve("f" + size);
            var out = new HashingFileOutput(Files.newOutputStream(file));
            try (out) {
                // Uneven writes, as from a network, including single bytes.
                int at = 0;
                while (at < size) {
                    int n = Math.min(size - at, 1 + random.nextInt(100_000));
                    if (n == 1) {
                        out.write(bytes[at]);
                    } else {
                        out.write(bytes, at, n);
                    }
                    at += n;
                }
            }
            assertThat(out.count()).isEqualTo(size);
            assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
            assertThat(out.sha256()).as("size " + size).isEqualTo(
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        }
    }

    @Test
    void theHashIsOnlyReadyWhenClosed() throws Exception {
        var out = new HashingFileOutput(Files.newOutputStream(dir.resolve("open")));
        out.write(new byte[10], 0, 10);
        assertThatThrownBy(out::sha256).isInstanceOf(IllegalStateException.class);
        out.close();
        assertThat(out.sha256()).hasSize(64);
    }
}
