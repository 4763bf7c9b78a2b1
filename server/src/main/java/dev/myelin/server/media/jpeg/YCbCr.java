package dev.myelin.server.media.jpeg;

/** JFIF's YCbCr to RGB (JFIF 1.02, "Conversion to and from RGB"), in 16-bit fixed point, a row at a time. */
final class YCbCr {
    private YCbCr() {
    }

    /** Converts the row's samples to packed RGB pixels written from {@code pixels[offset]}. */
    static void toRgb(int[] luma, int[] blue, int[] red, int[] pixels, int offset) {
        // Straight-line arithmetic with min/max clamps, so the JIT can vectorise the loop.
        for (int x = 0; x < luma.length; x++) {
            int y = luma[x] << 16;
            int cb = blue[x] - 128;
            int cr = red[x] - 128;
            int r = Math.min(255, Math.max(0, y + 91881 * cr + 32768 >> 16));
            int g = Math.min(255, Math.max(0, y - 22554 * cb - 46802 * cr + 32768 >> 16));
            int b = Math.min(255, Math.max(0, y + 116130 * cb + 32768 >> 16));
            pixels[offset + x] = r << 16 | g << 8 | b;
        }
    }
}
