package dev.myelin.server.media.jpeg;

/**
 * The inverse DCT of an 8×8 block straight to N×N pixels (N = 1, 2 or 4), from the block's N×N lowest-frequency
 * coefficients: each output pixel is the exact mean of the (8/N)² pixels it covers as those frequencies draw them
 * (an N-point IDCT whose basis is each cosine's mean over the pixels covered). For N = 1 that is the DC term over
 * 8, the block's mean. The higher frequencies are dropped rather than folded in, so the result is a smoother low-pass
 * than a box average and free of the aliasing point sampling gives (libjpeg's scaled decoding does the same).
 */
final class ScaledIdct {
    private final int size;
    /** basis[x * size + u]: alpha8(u) times the mean of cos((2p + 1) u pi / 16) over the pixels p of output x. */
    private final float[] basis;
    private final float[] rows;

    ScaledIdct(int size) {
        this.size = size;
        this.basis = new float[size * size];
        this.rows = new float[size * size];
        int m = 8 / size;
        for (int x = 0; x < size; x++) {
            for (int u = 0; u < size; u++) {
                double alpha = u == 0 ? Math.sqrt(1.0 / size) : Math.sqrt(2.0 / size);
                // The mean of frequency u's cosine over the m pixels an output pixel covers (a Dirichlet kernel).
                double average = u == 0 ? 1 : Math.sin(m * u * Math.PI / 16) / (m * Math.sin(u * Math.PI / 16));
                basis[x * size + u] = (float) (alpha * Math.cos((2 * x + 1) * u * Math.PI / (2 * size))
                        * Math.sqrt(size / 8.0) * average);
            }
        }
    }

    int size() {
        return size;
    }

    /**
     * Writes the block's N×N samples (level-shifted and clamped to 0..255) into {@code plane} at ({@code x},
     * {@code y}). {@code coefficients} are dequantized, in natural order, row-major 8 wide.
     */
    void transform(int[] coefficients, byte[] plane, int stride, int x, int y) {
        if (size == 1) {
            plane[y * stride + x] = clamp(coefficients[0] / 8f + 128f);
            return;
        }
        if (size == 2) {
            // The 2-point basis is (b0, b0) and (b1, -b1): four sums and differences.
            float p = basis[0] * basis[0] * coefficients[0];
            float q = basis[0] * basis[1] * coefficients[1];
            float r = basis[1] * basis[0] * coefficients[8];
            float t = basis[1] * basis[1] * coefficients[9];
            int top = y * stride + x;
            plane[top] = clamp(p + q + r + t + 128f);
            plane[top + 1] = clamp(p - q + r - t + 128f);
            plane[top + stride] = clamp(p + q - r - t + 128f);
            plane[top + stride + 1] = clamp(p - q - r + t + 128f);
            return;
        }
        int n = size;
        // Rows: for each vertical frequency v and output column i, sum over horizontal frequencies u.
        for (int v = 0; v < n; v++) {
            for (int i = 0; i < n; i++) {
                float sum = 0;
                for (int u = 0; u < n; u++) {
                    sum += basis[i * n + u] * coefficients[v * 8 + u];
                }
                rows[v * n + i] = sum;
            }
        }
        for (int j = 0; j < n; j++) {
            int offset = (y + j) * stride + x;
            for (int i = 0; i < n; i++) {
                float sum = 0;
                for (int v = 0; v < n; v++) {
                    sum += basis[j * n + v] * rows[v * n + i];
                }
                plane[offset + i] = clamp(sum + 128f);
            }
        }
    }

    private static byte clamp(float value) {
        int rounded = Math.round(value);
        return (byte) (rounded < 0 ? 0 : Math.min(rounded, 255));
    }
}
