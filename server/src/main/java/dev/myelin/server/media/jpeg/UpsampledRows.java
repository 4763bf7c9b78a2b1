package dev.myelin.server.media.jpeg;

/**
 * One component's decoded plane read back at the image's (reduced) size one row at a time, so colour conversion
 * needs no full-size plane per component. A subsampled plane is upsampled bilinearly with its samples at their
 * centres, as JFIF sites them, so chroma edges are not blocky: vertically first at the plane's width, then
 * horizontally, in 8-bit fixed point with one rounding at the end (the same sum as weighting the four neighbours).
 */
final class UpsampledRows {
    private final byte[] plane;
    private final int stride;
    private final int planeHeight;
    private final int factorY;
    /** Not subsampled: rows are the plane's own. */
    private final boolean fullResolution;
    private final int[] x0;
    private final int[] x1;
    private final int[] weightX;
    /** The vertically interpolated row, 16 fractional bits, at the plane's width. */
    private final int[] vertical;

    /** {@code factorX} and {@code factorY}: how many output pixels one sample covers across and down. */
    UpsampledRows(byte[] plane, int stride, int factorX, int factorY, int outWidth) {
        this.plane = plane;
        this.stride = stride;
        this.planeHeight = plane.length / stride;
        this.factorY = factorY;
        this.fullResolution = factorX == 1 && factorY == 1;
        this.x0 = new int[outWidth];
        this.x1 = new int[outWidth];
        this.weightX = new int[outWidth];
        this.vertical = new int[stride];
        for (int x = 0; x < outWidth; x++) {
            int source = sourceCoordinate(x, factorX);
            x0[x] = Math.min(source >> 8, stride - 1);
            x1[x] = Math.min(x0[x] + 1, stride - 1);
            weightX[x] = source & 0xFF;
        }
    }

    /** Where output pixel {@code i}'s centre falls in the plane, in 1/256 units: (i + 0.5) / factor - 0.5, from 0. */
    private static int sourceCoordinate(int i, int factor) {
        return Math.max(0, ((2 * i + 1) * 256 / factor - 256) / 2);
    }

    /** Writes output row {@code y}'s samples (0 to 255) into {@code out}, one per output pixel. */
    void row(int y, int[] out) {
        if (fullResolution) {
            for (int x = 0, offset = y * stride; x < out.length; x++) {
                out[x] = plane[offset + x] & 0xFF;
            }
            return;
        }
        int source = sourceCoordinate(y, factorY);
        int row0 = Math.min(source >> 8, planeHeight - 1) * stride;
        int row1 = Math.min((source >> 8) + 1, planeHeight - 1) * stride;
        int weightY = source & 0xFF;
        for (int i = 0; i < stride; i++) {
            vertical[i] = (plane[row0 + i] & 0xFF) * (256 - weightY) + (plane[row1 + i] & 0xFF) * weightY;
        }
        for (int x = 0; x < out.length; x++) {
            int w = weightX[x];
            out[x] = vertical[x0[x]] * (256 - w) + vertical[x1[x]] * w + 32768 >> 16;
        }
    }
}
