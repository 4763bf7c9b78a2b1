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
    /** For N = 2, the basis products b0·b0, b0·b1, b1·b0, b1·b1 that weigh the four coefficients. */
    private final float[] products;

    ScaledIdct(int size) {
        this.size = size;
        this.basis = new float[size * size];
        this.rows = new float[size * size];
        this.products = new float[4];
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
        if (size == 2) {
            for (int i = 0; i < 4; i++) {
                products[i] = basis[i >> 1] * basis[i & 1];
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
            float p = products[0] * coefficients[0];
            float q = products[1] * coefficients[1];
            float r = products[2] * coefficients[8];
            float t = products[3] * coefficients[9];
            int top = y * stride + x;
            plane[top] = clamp(p + q + r + t + 128f);
            plane[top + 1] = clamp(p - q + r - t + 128f);
            plane[top + stride] = clamp(p + q - r - t + 128f);
            plane[top + stride + 1] = clamp(p - q - r + t + 128f);
            return;
        }
        transform4(coefficients, plane, stride, y * stride + x);
    }

    /**
     * The 4×4 case (1/2 scale) written out: the products of the N-point form summed in the same order, so the
     * same floats.
     */
    private void transform4(int[] c, byte[] plane, int stride, int offset) {
        float[] b = basis;
        float[] r = rows;
        // Rows: for each vertical frequency v and output column i, the sum over horizontal frequencies u.
        for (int v = 0; v < 4; v++) {
            float c0 = c[v * 8];
            float c1 = c[v * 8 + 1];
            float c2 = c[v * 8 + 2];
            float c3 = c[v * 8 + 3];
            r[v * 4] = b[0] * c0 + b[1] * c1 + b[2] * c2 + b[3] * c3;
            r[v * 4 + 1] = b[4] * c0 + b[5] * c1 + b[6] * c2 + b[7] * c3;
            r[v * 4 + 2] = b[8] * c0 + b[9] * c1 + b[10] * c2 + b[11] * c3;
            r[v * 4 + 3] = b[12] * c0 + b[13] * c1 + b[14] * c2 + b[15] * c3;
        }
        // Columns: output row j is the sum over vertical frequencies v.
        for (int j = 0; j < 4; j++, offset += stride) {
            float b0 = b[j * 4];
            float b1 = b[j * 4 + 1];
            float b2 = b[j * 4 + 2];
            float b3 = b[j * 4 + 3];
            for (int i = 0; i < 4; i++) {
                plane[offset + i] = clamp(b0 * r[i] + b1 * r[4 + i] + b2 * r[8 + i] + b3 * r[12 + i] + 128f);
            }
        }
    }

    private static byte clamp(float value) {
        return (byte) Math.min(255, Math.max(0, Math.round(value)));
    }
}
