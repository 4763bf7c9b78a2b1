package dev.myelin.server.media;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;
import java.util.Arrays;

/**
 * Resizes an image by area averaging: each output pixel is the mean of the source area it covers, partly covered
 * source pixels weighted by the fraction covered (a box filter as wide as the scale, so no aliasing at any factor).
 * Separable, in fixed point with {@link #BITS} fractional bits per axis: source rows are summed into one row of
 * per-channel sums (a loop the JIT vectorises), then columns. Transparent images are averaged with premultiplied
 * alpha, so a transparent pixel's colour does not bleed into its neighbours.
 */
final class AreaAverageScaler {
    private static final int BITS = 14;
    private static final int ONE = 1 << BITS;

    private AreaAverageScaler() {
    }

    /**
     * Along one axis, the source pixels each output pixel covers: from {@code first[i]}, {@code count[i]} of them,
     * weighted by {@code weights[i * span + t]} (summing to {@link #ONE}; 0 from {@code count[i]} to {@code span}, so
     * a loop may always sum {@code span} taps).
     */
    private record Taps(int[] first, int[] count, int[] weights, int span) {
        static Taps of(int sourceLength, int length) {
            // In units of 1/length of a source pixel, output i covers [i * sourceLength, (i + 1) * sourceLength).
            int span = sourceLength / length + 2;
            var first = new int[length];
            var count = new int[length];
            var weights = new int[length * span];
            for (int i = 0; i < length; i++) {
                long start = (long) i * sourceLength;
                long end = start + sourceLength;
                first[i] = (int) (start / length);
                int last = (int) Math.min(sourceLength - 1, (end - 1) / length);
                count[i] = last - first[i] + 1;
                int total = 0;
                int largest = 0;
                for (int t = 0; t < count[i]; t++) {
                    long pixel = (long) (first[i] + t) * length;
                    long covered = Math.min(end, pixel + length) - Math.max(start, pixel);
                    int weight = (int) ((covered * ONE + sourceLength / 2) / sourceLength);
                    weights[i * span + t] = weight;
                    total += weight;
                    largest = weight > weights[i * span + largest] ? t : largest;
                }
                weights[i * span + largest] += ONE - total; // rounding: the weights sum to exactly one
            }
            return new Taps(first, count, weights, span);
        }
    }

    /**
     * The image resized to {@code width} by {@code height}: TYPE_INT_ARGB when {@code alpha}, else TYPE_3BYTE_BGR
     * (the layout ImageIO's JPEG writer copies its scanlines from without converting pixel by pixel).
     */
    static BufferedImage scale(BufferedImage image, int width, int height, boolean alpha) {
        int type = alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
        BufferedImage source = image.getType() == type ? image : converted(image, type);
        int sourceWidth = source.getWidth();
        WritableRaster raster = source.getRaster();
        int scanline = ((SinglePixelPackedSampleModel) raster.getSampleModel()).getScanlineStride();
        var buffer = (DataBufferInt) raster.getDataBuffer();
        int[] in = buffer.getData();
        // A subimage shares its parent's pixels: its origin is offset by the sample model's translation.
        int origin = buffer.getOffset() - raster.getSampleModelTranslateY() * scanline
                - raster.getSampleModelTranslateX();
        Taps across = Taps.of(sourceWidth, width);
        Taps down = Taps.of(source.getHeight(), height);
        var result = new BufferedImage(width, height, alpha ? BufferedImage.TYPE_INT_ARGB
                : BufferedImage.TYPE_3BYTE_BGR);
        DataBuffer out = result.getRaster().getDataBuffer();
        // Per-channel sums of the source rows under one output row (alpha first, then colours, premultiplied),
        // with zeros after the row for the columns' zero-weight taps: every column then sums span taps.
        int[][] sums = new int[alpha ? 4 : 3][sourceWidth + across.span()];
        for (int y = 0; y < height; y++) {
            for (int[] sum : sums) {
                Arrays.fill(sum, 0);
            }
            for (int t = 0; t < down.count()[y]; t++) {
                int row = origin + (down.first()[y] + t) * scanline;
                int weight = down.weights()[y * down.span() + t];
                if (alpha) {
                    addPremultiplied(in, row, sourceWidth, weight, sums);
                } else {
                    add(in, row, sourceWidth, weight, sums);
                }
            }
            if (alpha) {
                writeArgb(sums, across, ((DataBufferInt) out).getData(), y * width);
            } else {
                writeBgr(sums, across, ((DataBufferByte) out).getData(), 3 * y * width);
            }
        }
        return result;
    }

    private static BufferedImage converted(BufferedImage image, int type) {
        var copy = new BufferedImage(image.getWidth(), image.getHeight(), type);
        Graphics2D g = copy.createGraphics();
        try {
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        return copy;
    }

    private static void add(int[] in, int row, int width, int weight, int[][] sums) {
        int[] red = sums[0];
        int[] green = sums[1];
        int[] blue = sums[2];
        for (int x = 0; x < width; x++) {
            int p = in[row + x];
            red[x] += weight * (p >> 16 & 0xFF);
            green[x] += weight * (p >> 8 & 0xFF);
            blue[x] += weight * (p & 0xFF);
        }
    }

    /** Sums alpha and alpha times each colour (at most 255², so the weighted sums stay below 2³¹). */
    private static void addPremultiplied(int[] in, int row, int width, int weight, int[][] sums) {
        for (int x = 0; x < width; x++) {
            int p = in[row + x];
            int a = p >>> 24;
            sums[0][x] += weight * a;
            sums[1][x] += weight * (a * (p >> 16 & 0xFF));
            sums[2][x] += weight * (a * (p >> 8 & 0xFF));
            sums[3][x] += weight * (a * (p & 0xFF));
        }
    }

    /** Sums each output pixel's columns and writes it as blue, green, red bytes from {@code offset}. */
    private static void writeBgr(int[][] sums, Taps across, byte[] out, int offset) {
        int[] red = sums[0];
        int[] green = sums[1];
        int[] blue = sums[2];
        int[] first = across.first();
        int[] weights = across.weights();
        int span = across.span();
        long half = 1L << (2 * BITS - 1);
        for (int x = 0; x < first.length; x++) {
            long r = half;
            long g = half;
            long b = half;
            // A fixed number of taps (the last ones weigh 0), so the loop's trip count never mispredicts.
            for (int t = 0, i = first[x], w = x * span; t < span; t++, i++, w++) {
                long weight = weights[w];
                r += weight * red[i];
                g += weight * green[i];
                b += weight * blue[i];
            }
            out[offset + 3 * x] = (byte) (b >> 2 * BITS);
            out[offset + 3 * x + 1] = (byte) (g >> 2 * BITS);
            out[offset + 3 * x + 2] = (byte) (r >> 2 * BITS);
        }
    }

    /** Sums each output pixel's columns and writes it un-premultiplied, as ARGB ints from {@code offset}. */
    private static void writeArgb(int[][] sums, Taps across, int[] out, int offset) {
        long[] total = new long[4];
        for (int x = 0; x < across.first().length; x++) {
            Arrays.fill(total, 0);
            for (int t = 0, i = across.first()[x]; t < across.count()[x]; t++, i++) {
                long weight = across.weights()[x * across.span() + t];
                for (int c = 0; c < 4; c++) {
                    total[c] += weight * sums[c][i];
                }
            }
            long alpha = total[0];
            int pixel = 0;
            if (alpha != 0) {
                pixel = (int) (alpha + (1L << (2 * BITS - 1)) >> 2 * BITS) << 24;
                for (int c = 1; c < 4; c++) {
                    pixel |= (int) ((total[c] + alpha / 2) / alpha) << 8 * (3 - c);
                }
            }
            out[offset + x] = pixel;
        }
    }
}
