package dev.myelin.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What ImageIO's JPEG decode of the same 4000x3000 photo as {@link ThumbnailBenchmark} costs at each source
 * subsampling: the decode is most of a thumbnail's time, and subsampling (point sampling: every n-th pixel) is the
 * only reduction ImageIO offers, so this shows what a larger subsampling (and less headroom for the smooth
 * downscale, i.e. more aliasing) would buy.
 * Run: java -jar bench/target/benchmarks.jar JpegDecodeBenchmark -f 1 -wi 2 -w 2s -i 3 -r 3s -t 1
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class JpegDecodeBenchmark {
    @Param({"1", "2", "4", "8"})
    public int subsampling;

    private final ThumbnailBenchmark photo = new ThumbnailBenchmark();

    @Setup
    public void setUp() throws IOException {
        photo.setUp();
    }

    @TearDown
    public void tearDown() throws IOException {
        photo.tearDown();
    }

    @Benchmark
    public BufferedImage decode() throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(photo.photo().toFile())) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            try {
                reader.setInput(in, true, true);
                ImageReadParam param = reader.getDefaultReadParam();
                param.setSourceSubsampling(subsampling, subsampling, 0, 0);
                return reader.read(0, param);
            } finally {
                reader.dispose();
            }
        }
    }
}
