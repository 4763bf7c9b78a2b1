package dev.myelin.bench;

import dev.myelin.server.media.ThumbnailException;
import dev.myelin.server.media.Thumbnailer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Thumbnailing a 4000x3000 JPEG photo (12 megapixels, a phone camera's size): one 800x600 scale thumbnail, one
 * 96x96 crop, and the five spec sizes made together from one decode, as an upload does.
 * Run: java -jar bench/target/benchmarks.jar ThumbnailBenchmark -f 1 -wi 3 -w 2s -i 5 -r 3s -t 1
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ThumbnailBenchmark {
    private static final List<Thumbnailer.Size> SPEC_SIZES = List.of(new Thumbnailer.Size(32, 32, true),
            new Thumbnailer.Size(96, 96, true), new Thumbnailer.Size(320, 240, false),
            new Thumbnailer.Size(640, 480, false), new Thumbnailer.Size(800, 600, false));

    private Path photo;
    private Thumbnailer thumbnailer;

    @Setup
    public void setUp() throws IOException {
        var image = new BufferedImage(4000, 3000, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        var random = new Random(42);
        // Shapes and noise, so the JPEG has the detail (and size, a few MB) of a photo.
        for (int i = 0; i < 4000; i++) {
            g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
            g.fillOval(random.nextInt(4000), random.nextInt(3000), 20 + random.nextInt(400), 20 + random.nextInt(400));
        }
        g.dispose();
        for (int y = 0; y < 3000; y += 2) {
            for (int x = 0; x < 4000; x += 2) {
                image.setRGB(x, y, image.getRGB(x, y) ^ random.nextInt(0x0F0F0F));
            }
        }
        photo = Files.createTempFile("thumbnail-bench", ".jpg");
        ImageIO.write(image, "jpeg", photo.toFile());
        thumbnailer = new Thumbnailer(32_000_000);
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.deleteIfExists(photo);
    }

    /** The photo's file (shared with {@link JpegDecodeBenchmark}). */
    Path photo() {
        return photo;
    }

    @Benchmark
    public byte[] scale800x600() throws ThumbnailException {
        return thumbnailer.make(photo, new Thumbnailer.Size(800, 600, false)).bytes();
    }

    @Benchmark
    public byte[] crop96x96() throws ThumbnailException {
        return thumbnailer.make(photo, new Thumbnailer.Size(96, 96, true)).bytes();
    }

    @Benchmark
    public int allSpecSizesFromOneDecode() throws ThumbnailException {
        return thumbnailer.make(photo, SPEC_SIZES).size();
    }
}
