package dev.myelin.bench;

import dev.myelin.server.media.MediaFiles;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Staging a 100 MB upload (written to a temporary file and SHA-256 hashed), without HTTP: {@code stage} is
 * {@link MediaFiles#stage}, which hashes on a second thread while writing; {@code sequentialBaseline} writes and
 * hashes on one thread, as uploads did before. 100 MB divided by the time per operation is the throughput.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class MediaStagingBenchmark {
    private static final int SIZE = 100 << 20;

    private byte[] content;
    private Path dir;
    private MediaFiles files;

    @Setup
    public void setUp() throws IOException {
        content = new byte[SIZE];
        new Random(1).nextBytes(content);
        dir = Files.createTempDirectory("staging-bench");
        files = new MediaFiles(dir);
    }

    @TearDown
    public void tearDown() throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    @Benchmark
    public String stage() throws IOException {
        try (MediaFiles.Staged staged = files.stage(new ByteArrayInputStream(content), Long.MAX_VALUE)) {
            return staged.sha256();
        }
    }

    @Benchmark
    public String sequentialBaseline() throws Exception {
        Path file = dir.resolve("sequential");
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha256);
             var in = new ByteArrayInputStream(content)) {
            byte[] buffer = new byte[256 * 1024];
            int n;
            while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                out.write(buffer, 0, n);
            }
        }
        Files.delete(file);
        return HexFormat.of().formatHex(sha256.digest());
    }
}
