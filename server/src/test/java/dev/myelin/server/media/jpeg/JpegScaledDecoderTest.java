package dev.myelin.server.media.jpeg;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Element;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DCT-domain decode against ImageIO's full decode, area-averaged to the same size. */
class JpegScaledDecoderTest {
    private static final String FORMAT = "javax_imageio_jpeg_image_1.0";

    @TempDir
    Path dir;

    /** Shapes over a gradient, an odd size that leaves partial blocks; with noise, detail at every frequency. */
    private static BufferedImage photo(int width, int height, int type) {
        return photo(width, height, type, false);
    }

    private static BufferedImage photo(int width, int height, int type, boolean noise) {
        var image = new BufferedImage(width, height, type);
        Graphics2D g = image.createGraphics();
        var random = new Random(7);
        for (int y = 0; y < height; y++) {
            g.setColor(new Color(y * 255 / height, 90, 255 - y * 255 / height));
            g.drawLine(0, y, width, y);
        }
        for (int i = 0; i < 60; i++) {
            g.setColor(new Color(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
            g.fillOval(random.nextInt(width), random.nextInt(height), 10 + random.nextInt(120), 10 + random.nextInt(120));
        }
        g.dispose();
        for (int y = 0; noise && y < height; y += 3) {
            for (int x = 0; x < width; x += 3) {
                image.setRGB(x, y, image.getRGB(x, y) ^ random.nextInt(0x1F1F1F));
            }
        }
        return image;
    }

    private interface Tweak {
        void apply(IIOMetadataNode root, ImageWriteParam param);
    }

    private Path write(BufferedImage image, Tweak tweak) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        IIOMetadata metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), param);
        var root = (IIOMetadataNode) metadata.getAsTree(FORMAT);
        tweak.apply(root, param);
        metadata.setFromTree(FORMAT, root);
        Path file = Files.createTempFile(dir, "photo", ".jpg");
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, metadata), param);
        } finally {
            writer.dispose();
        }
        return file;
    }

    /** Mean absolute difference per channel between the scaled decode and the full decode averaged by scale. */
    private static double error(Path file, int scale) throws IOException {
        BufferedImage full = ImageIO.read(file.toFile());
        BufferedImage scaled = JpegScaledDecoder.decode(file, scale);
        assertEquals((full.getWidth() + scale - 1) / scale, scaled.getWidth());
        assertEquals((full.getHeight() + scale - 1) / scale, scaled.getHeight());
        double total = 0;
        for (int y = 0; y < scaled.getHeight(); y++) {
            for (int x = 0; x < scaled.getWidth(); x++) {
                long[] sum = new long[3];
                int count = 0;
                for (int j = y * scale; j < Math.min((y + 1) * scale, full.getHeight()); j++) {
                    for (int i = x * scale; i < Math.min((x + 1) * scale, full.getWidth()); i++) {
                        int rgb = rgb(full, i, j);
                        sum[0] += rgb >> 16 & 0xFF;
                        sum[1] += rgb >> 8 & 0xFF;
                        sum[2] += rgb & 0xFF;
                        count++;
                    }
                }
                int rgb = scaled.getRGB(x, y);
                total += Math.abs(sum[0] / (double) count - (rgb >> 16 & 0xFF))
                        + Math.abs(sum[1] / (double) count - (rgb >> 8 & 0xFF))
                        + Math.abs(sum[2] / (double) count - (rgb & 0xFF));
            }
        }
        return total / (3.0 * scaled.getWidth() * scaled.getHeight());
    }

    /** The pixel as decoded: a gray image's sample as is (getRGB would convert it from linear gray to sRGB). */
    private static int rgb(BufferedImage image, int x, int y) {
        if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
            int g = image.getRaster().getSample(x, y, 0);
            return g << 16 | g << 8 | g;
        }
        return image.getRGB(x, y);
    }

    private static void sampling(IIOMetadataNode root, int h, int v) {
        var specs = root.getElementsByTagName("componentSpec");
        for (int i = 0; i < specs.getLength(); i++) {
            var spec = (Element) specs.item(i);
            spec.setAttribute("HsamplingFactor", i == 0 ? String.valueOf(h) : "1");
            spec.setAttribute("VsamplingFactor", i == 0 ? String.valueOf(v) : "1");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8})
    void colourPhotoWithChromaSubsampledBothWays(int scale) throws IOException {
        Path file = write(photo(517, 389, BufferedImage.TYPE_INT_RGB), (root, param) -> sampling(root, 2, 2));
        double error = error(file, scale);
        // Chroma has half the resolution: at 1/8 one chroma sample stands for 16×16 pixels (measured 2.6, 5.0, 8.7).
        assertTrue(error < 1.5 * scale, "4:2:0 mean error " + error);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8})
    void colourPhotoWithoutChromaSubsampling(int scale) throws IOException {
        Path file = write(photo(400, 300, BufferedImage.TYPE_INT_RGB), (root, param) -> sampling(root, 1, 1));
        double error = error(file, scale);
        assertTrue(error < 2, "4:4:4 mean error " + error);
    }

    @Test
    void horizontallySubsampledChroma() throws IOException {
        Path file = write(photo(333, 250, BufferedImage.TYPE_INT_RGB), (root, param) -> sampling(root, 2, 1));
        double error = error(file, 4);
        assertTrue(error < 6, "4:2:2 mean error " + error);
    }

    @Test
    void grayscale() throws IOException {
        Path file = write(photo(301, 207, BufferedImage.TYPE_BYTE_GRAY), (root, param) -> { });
        double error = error(file, 4);
        assertTrue(error < 1.5, "grayscale mean error " + error);
    }

    @Test
    void restartIntervalsDecodeAsWithout() throws IOException {
        BufferedImage photo = photo(517, 389, BufferedImage.TYPE_INT_RGB, true);
        Path plain = write(photo, (root, param) -> { });
        Path restarts = write(photo, (root, param) -> {
            var dri = new IIOMetadataNode("dri");
            dri.setAttribute("interval", "3");
            var markers = (IIOMetadataNode) root.getElementsByTagName("markerSequence").item(0);
            markers.insertBefore(dri, markers.getFirstChild());
        });
        assertTrue(Arrays.equals(new byte[] {(byte) 0xFF, (byte) 0xDD}, find(Files.readAllBytes(restarts), 0xDD)),
                "the file has a DRI segment");
        for (int scale : new int[] {2, 8}) {
            BufferedImage expected = JpegScaledDecoder.decode(plain, scale);
            BufferedImage actual = JpegScaledDecoder.decode(restarts, scale);
            for (int y = 0; y < expected.getHeight(); y++) {
                for (int x = 0; x < expected.getWidth(); x++) {
                    assertEquals(expected.getRGB(x, y), actual.getRGB(x, y), "pixel " + x + "," + y);
                }
            }
        }
        assertTrue(error(restarts, 8) < 12, "noisy photo, mean error " + error(restarts, 8));
    }

    private static byte[] find(byte[] bytes, int marker) {
        for (int i = 0; i + 1 < bytes.length; i++) {
            if (bytes[i] == (byte) 0xFF && bytes[i + 1] == (byte) marker) {
                return new byte[] {bytes[i], bytes[i + 1]};
            }
        }
        return new byte[0];
    }

    @Test
    void progressiveIsLeftToImageIo() throws IOException {
        Path file = write(photo(200, 150, BufferedImage.TYPE_INT_RGB),
                (root, param) -> param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT));
        assertThrows(JpegFormatException.class, () -> JpegScaledDecoder.decode(file, 8));
    }

    @Test
    void notAJpegOrTruncatedBeforeTheImage() throws IOException {
        Path png = Files.createTempFile(dir, "image", ".png");
        ImageIO.write(photo(40, 30, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        assertThrows(JpegFormatException.class, () -> JpegScaledDecoder.decode(png, 2));

        Path jpeg = write(photo(200, 150, BufferedImage.TYPE_INT_RGB), (root, param) -> { });
        byte[] bytes = Files.readAllBytes(jpeg);
        Path headOnly = Files.write(dir.resolve("head.jpg"), Arrays.copyOf(bytes, 300));
        assertThrows(JpegFormatException.class, () -> JpegScaledDecoder.decode(headOnly, 2));
    }

    @Test
    void truncatedImageDataGivesWhatWasDecoded() throws IOException {
        Path jpeg = write(photo(200, 150, BufferedImage.TYPE_INT_RGB), (root, param) -> { });
        byte[] bytes = Files.readAllBytes(jpeg);
        Path truncated = Files.write(dir.resolve("truncated.jpg"), Arrays.copyOf(bytes, bytes.length * 2 / 3));
        BufferedImage image = JpegScaledDecoder.decode(truncated, 4);
        assertEquals(50, image.getWidth());
        assertEquals(38, image.getHeight());
    }
}
