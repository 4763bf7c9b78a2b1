package dev.myelin.server.media;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The EXIF orientation of a JPEG (tag 0x0112: phones store photos sideways and say how to turn them), read from the
 * APP1 segment without decoding, and applied to decoded pixels so thumbnails come out upright.
 */
public final class ExifOrientation {
    private static final int HEAD = 128 * 1024;

    private ExifOrientation() {
    }

    /** 1 (as stored) to 8; 1 when the file has none or is not a JPEG. */
    public static int read(Path file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(HEAD);
        } catch (IOException e) {
            return 1;
        }
        return read(head);
    }

    static int read(byte[] b) {
        if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) {
            return 1;
        }
        int at = 2;
        while (at + 4 <= b.length && (b[at] & 0xFF) == 0xFF) {
            int marker = b[at + 1] & 0xFF;
            if (marker == 0xDA || marker == 0xD9) {
                return 1;
            }
            int length = ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
            int start = at + 4;
            if (length < 2 || start + length - 2 > b.length) {
                return 1;
            }
            if (marker == 0xE1 && length >= 16 && b[start] == 'E' && b[start + 1] == 'x' && b[start + 2] == 'i'
                    && b[start + 3] == 'f' && b[start + 4] == 0 && b[start + 5] == 0) {
                return fromTiff(ByteBuffer.wrap(b, start + 6, length - 8).slice());
            }
            at = start + length - 2;
        }
        return 1;
    }

    private static int fromTiff(ByteBuffer tiff) {
        try {
            if (tiff.get(0) == 'I' && tiff.get(1) == 'I') {
                tiff.order(ByteOrder.LITTLE_ENDIAN);
            } else if (tiff.get(0) != 'M' || tiff.get(1) != 'M') {
                return 1;
            }
            if (tiff.getShort(2) != 42) {
                return 1;
            }
            int ifd = tiff.getInt(4);
            int count = tiff.getShort(ifd) & 0xFFFF;
            for (int i = 0; i < count; i++) {
                int entry = ifd + 2 + i * 12;
                if ((tiff.getShort(entry) & 0xFFFF) == 0x0112) {
                    int value = tiff.getShort(entry + 8) & 0xFFFF;
                    return value >= 1 && value <= 8 ? value : 1;
                }
            }
        } catch (IndexOutOfBoundsException malformed) {
            return 1;
        }
        return 1;
    }

    /** Whether the orientation swaps width and height (a quarter turn). */
    public static boolean swapsSides(int orientation) {
        return orientation >= 5 && orientation <= 8;
    }

    /** The image turned and flipped as its orientation says, so it displays upright. */
    public static BufferedImage apply(BufferedImage image, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        boolean swap = swapsSides(orientation);
        int outW = swap ? h : w;
        int outH = swap ? w : h;
        int[] in = image.getRGB(0, 0, w, h, null, 0, w);
        int[] out = new int[in.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int dx;
                int dy;
                switch (orientation) {
                    case 2 -> { dx = w - 1 - x; dy = y; }
                    case 3 -> { dx = w - 1 - x; dy = h - 1 - y; }
                    case 4 -> { dx = x; dy = h - 1 - y; }
                    case 5 -> { dx = y; dy = x; }
                    case 6 -> { dx = h - 1 - y; dy = x; }
                    case 7 -> { dx = h - 1 - y; dy = w - 1 - x; }
                    default -> { dx = y; dy = w - 1 - x; }
                }
                out[dy * outW + dx] = in[y * w + x];
            }
        }
        var result = new BufferedImage(outW, outH,
                image.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        result.setRGB(0, 0, outW, outH, out, 0, outW);
        return result;
    }
}
