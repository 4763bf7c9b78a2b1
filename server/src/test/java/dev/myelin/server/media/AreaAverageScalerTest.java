package dev.myelin.server.media;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The fixed-point scaler against the exact area average computed in doubles. */
class AreaAverageScalerTest {

    private static BufferedImage noise(int width, int height, int type, long seed) {
        var image = new BufferedImage(width, height, type);
        var random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt());
            }
        }
        return image;
    }

    /** The coverage of source pixel {@code i} by output pixel {@code o} along an axis, as a fraction of the output. */
    private static double coverage(int i, int o, int sourceLength, int length) {
        double scale = (double) sourceLength / length;
        double start = o * scale;
        double end = start + scale;
        return Math.max(0, Math.min(i + 1, end) - Math.max(i, start)) / scale;
    }

    /** The exact area average of output pixel (x, y), alpha premultiplied, as a, r, g, b in 0 to 255. */
    private static double[] exact(BufferedImage source, int width, int height, int x, int y) {
        double[] sum = new double[4];
        for (int j = 0; j < source.getHeight(); j++) {
            double wy = coverage(j, y, source.getHeight(), height);
            for (int i = 0; wy > 0 && i < source.getWidth(); i++) {
                double w = wy * coverage(i, x, source.getWidth(), width);
                if (w > 0) {
                    int p = source.getRGB(i, j);
                    double a = source.getColorModel().hasAlpha() ? (p >>> 24) : 255;
                    sum[0] += w * a;
                    sum[1] += w * a * (p >> 16 & 0xFF);
                    sum[2] += w * a * (p >> 8 & 0xFF);
                    sum[3] += w * a * (p & 0xFF);
                }
            }
        }
        return new double[] {sum[0], sum[1] / sum[0], sum[2] / sum[0], sum[3] / sum[0]};
    }

    /** Every output channel within one level of the exact average (rounding alone allows half a level). */
    private static void assertMatchesExact(BufferedImage source, int width, int height, boolean alpha) {
        BufferedImage scaled = AreaAverageScaler.scale(source, width, height, alpha);
        assertThat(scaled.getWidth()).isEqualTo(width);
        assertThat(scaled.getHeight()).isEqualTo(height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double[] expected = exact(source, width, height, x, y);
                int p = scaled.getRGB(x, y);
                int[] actual = {p >>> 24, p >> 16 & 0xFF, p >> 8 & 0xFF, p & 0xFF};
                for (int c = alpha ? 0 : 1; c < 4; c++) {
                    assertThat((double) actual[c]).as("channel %d of pixel %d,%d", c, x, y)
                            .isCloseTo(expected[c], org.assertj.core.data.Offset.offset(1.0));
                }
            }
        }
    }

    @Test
    void downscalesByFractionalAndLargeFactorsAsTheExactAreaAverage() {
        BufferedImage photo = noise(250, 190, BufferedImage.TYPE_INT_RGB, 1);
        assertMatchesExact(photo, 200, 152, false); // 1.25, as 1/4 of a 4000x3000 photo to 800x600
        assertMatchesExact(photo, 37, 23, false);   // uneven factors near 7 and 8
        assertMatchesExact(photo, 250, 190, false); // same size: a copy
        assertMatchesExact(noise(3, 2, BufferedImage.TYPE_INT_RGB, 2), 5, 4, false); // never asked for, but sound
    }

    @Test
    void readsASubimageAndOtherPixelLayouts() {
        BufferedImage parent = noise(120, 90, BufferedImage.TYPE_INT_RGB, 3);
        assertMatchesExact(parent.getSubimage(13, 7, 80, 61), 31, 24, false);
        assertMatchesExact(noise(90, 70, BufferedImage.TYPE_3BYTE_BGR, 4), 40, 30, false);
    }

    @Test
    void averagesTransparentImagesWithPremultipliedAlpha() {
        assertMatchesExact(noise(90, 70, BufferedImage.TYPE_INT_ARGB, 5), 41, 29, true);
        // Opaque red beside transparent green: half-transparent red, no green.
        var pair = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        pair.setRGB(0, 0, 0xFFFF0000);
        pair.setRGB(1, 0, 0x0000FF00);
        assertThat(Integer.toHexString(AreaAverageScaler.scale(pair, 1, 1, true).getRGB(0, 0))).isEqualTo("80ff0000");
        var clear = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        assertThat(AreaAverageScaler.scale(clear, 2, 2, true).getRGB(1, 1)).isZero();
    }

    @Test
    void opaqueOutputIsInTheJpegWritersLayout() {
        assertThat(AreaAverageScaler.scale(noise(8, 8, BufferedImage.TYPE_INT_RGB, 6), 4, 4, false).getType())
                .isEqualTo(BufferedImage.TYPE_3BYTE_BGR);
    }
}
