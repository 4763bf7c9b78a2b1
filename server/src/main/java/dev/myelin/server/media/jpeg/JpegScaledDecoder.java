package dev.myelin.server.media.jpeg;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Decodes a baseline JPEG (ITU T.81 sequential Huffman, SOF0/SOF1, 8-bit, one or three components, any sampling
 * factors that divide the largest, restart intervals, interleaved or not) at 1/2, 1/4 or 1/8 of its size in the
 * DCT domain: each 8×8 block becomes 4×4, 2×2 or one pixel through {@link ScaledIdct}, so a 12-megapixel photo is
 * never expanded and most of its coefficients are skipped, not transformed. ImageIO cannot do this. Progressive,
 * arithmetic-coded, 12-bit and CMYK files throw {@link JpegFormatException}: the caller decodes those with ImageIO.
 * The file is read whole (up to 64 MB; larger ones are left to ImageIO), then only the reduced image is allocated.
 */
public final class JpegScaledDecoder {
    /** The natural (row-major) index of each zig-zag position (T.81 figure A.6). */
    private static final int[] ZIGZAG = {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14,
        21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53,
        60, 61, 54, 47, 55, 62, 63};
    private static final long MAX_PIXELS = 1L << 28;
    /** Larger files are left to ImageIO, which streams them (a 12-megapixel photo is a few megabytes). */
    private static final long MAX_FILE_BYTES = 64L << 20;

    private final byte[] data;
    private final ScaledIdct idct;
    /** For each zig-zag position, its natural index when it lies in the N×N corner kept, else -1. */
    private final int[] kept = new int[64];
    /** One past the last zig-zag position kept. */
    private int keptEnd;
    private final int[][] quantTables = new int[4][];
    private final HuffmanTable[] dcTables = new HuffmanTable[4];
    private final HuffmanTable[] acTables = new HuffmanTable[4];
    private Component[] components;
    private int width;
    private int height;
    private int maxH;
    private int maxV;
    private int mcusWide;
    private int mcusHigh;
    private int restartInterval;
    private boolean adobeRgb;
    private boolean scanned;

    private static final class Component {
        final int id;
        final int h;
        final int v;
        final int quantTable;
        byte[] plane;
        int stride;

        Component(int id, int h, int v, int quantTable) {
            this.id = id;
            this.h = h;
            this.v = v;
            this.quantTable = quantTable;
        }
    }

    private JpegScaledDecoder(byte[] data, int blockSize) {
        this.data = data;
        this.idct = new ScaledIdct(blockSize);
        for (int k = 0; k < 64; k++) {
            kept[k] = ZIGZAG[k] / 8 < blockSize && ZIGZAG[k] % 8 < blockSize ? ZIGZAG[k] : -1;
            if (kept[k] >= 0) {
                keptEnd = k + 1;
            }
        }
    }

    /** Decodes the file at 1/{@code scale} (2, 4 or 8) of its width and height, rounded up. */
    public static BufferedImage decode(Path file, int scale) throws IOException {
        if (scale != 2 && scale != 4 && scale != 8) {
            throw new IllegalArgumentException("scale must be 2, 4 or 8");
        }
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new JpegFormatException("file too large");
        }
        return new JpegScaledDecoder(Files.readAllBytes(file), 8 / scale).read();
    }

    private int u8(int position) {
        return data[position] & 0xFF;
    }

    private int u16(int position) {
        return u8(position) << 8 | u8(position + 1);
    }

    private BufferedImage read() throws JpegFormatException {
        if (data.length < 4 || u16(0) != 0xFFD8) {
            throw new JpegFormatException("not a JPEG");
        }
        int position = 2;
        while (true) {
            position = nextMarker(position);
            if (position < 0) {
                break; // truncated after the scans: keep what was decoded, as ImageIO does
            }
            int marker = u8(position + 1);
            position += 2;
            if (marker == 0xD9) {
                break;
            }
            if (marker >= 0xD0 && marker <= 0xD7 || marker == 0x01) {
                continue; // markers without a segment
            }
            int length = u16(position);
            int segment = position + 2;
            int end = position + length;
            if (length < 2 || end > data.length) {
                throw new JpegFormatException("truncated segment");
            }
            switch (marker) {
                case 0xDB -> readQuantTables(segment, end);
                case 0xC4 -> readHuffmanTables(segment, end);
                case 0xC0, 0xC1 -> readFrame(segment, end);
                case 0xDD -> restartInterval = u16(segment);
                case 0xEE -> readAdobe(segment, end);
                case 0xDA -> end = readScan(segment, end);
                default -> {
                    if (marker >= 0xC2 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                        throw new JpegFormatException("not a baseline JPEG (SOF" + (marker - 0xC0) + ")");
                    }
                }
            }
            position = end;
        }
        if (!scanned) {
            throw new JpegFormatException("no scan");
        }
        return image();
    }

    /** The position of the next marker at or after {@code position}, or -1 past the end once a scan was read. */
    private int nextMarker(int position) throws JpegFormatException {
        for (int p = position; p + 1 < data.length; p++) {
            if (u8(p) == 0xFF && u8(p + 1) != 0 && u8(p + 1) != 0xFF) {
                return p;
            }
        }
        if (scanned) {
            return -1;
        }
        throw new JpegFormatException("truncated before the image data");
    }

    private void readQuantTables(int position, int end) throws JpegFormatException {
        while (position < end) {
            int precision = u8(position) >> 4;
            int id = u8(position) & 15;
            if (id > 3 || position + 1 + 64 * (precision + 1) > end) {
                throw new JpegFormatException("invalid quantization table");
            }
            int[] table = new int[64];
            for (int k = 0; k < 64; k++) {
                table[k] = precision == 0 ? u8(position + 1 + k) : u16(position + 1 + 2 * k);
            }
            quantTables[id] = table;
            position += 1 + 64 * (precision + 1);
        }
    }

    private void readHuffmanTables(int position, int end) throws JpegFormatException {
        while (position < end) {
            int tableClass = u8(position) >> 4;
            int id = u8(position) & 15;
            if (tableClass > 1 || id > 3 || position + 17 > end) {
                throw new JpegFormatException("invalid Huffman table");
            }
            int[] counts = new int[16];
            int total = 0;
            for (int i = 0; i < 16; i++) {
                counts[i] = u8(position + 1 + i);
                total += counts[i];
            }
            if (position + 17 + total > end) {
                throw new JpegFormatException("invalid Huffman table");
            }
            byte[] values = new byte[total];
            System.arraycopy(data, position + 17, values, 0, total);
            (tableClass == 0 ? dcTables : acTables)[id] = new HuffmanTable(counts, values, tableClass == 0);
            position += 17 + total;
        }
    }

    private void readAdobe(int position, int end) {
        // APP14 "Adobe": transform 0 means the three components are RGB, not YCbCr.
        if (end - position >= 12 && u8(position) == 'A' && u8(position + 1) == 'd' && u8(position + 2) == 'o'
                && u8(position + 3) == 'b' && u8(position + 4) == 'e') {
            adobeRgb = u8(position + 11) == 0;
        }
    }

    private void readFrame(int position, int end) throws JpegFormatException {
        if (components != null) {
            throw new JpegFormatException("two frames");
        }
        if (u8(position) != 8) {
            throw new JpegFormatException("not 8-bit");
        }
        height = u16(position + 1);
        width = u16(position + 3);
        int count = u8(position + 5);
        if (width == 0 || height == 0 || (long) width * height > MAX_PIXELS) {
            throw new JpegFormatException("unsupported dimensions");
        }
        if (count != 1 && count != 3 || position + 6 + 3 * count > end) {
            throw new JpegFormatException("unsupported components");
        }
        components = new Component[count];
        for (int i = 0; i < count; i++) {
            int p = position + 6 + 3 * i;
            int h = u8(p + 1) >> 4;
            int v = u8(p + 1) & 15;
            int quant = u8(p + 2);
            if (h < 1 || h > 4 || v < 1 || v > 4 || quant > 3) {
                throw new JpegFormatException("invalid component");
            }
            components[i] = new Component(u8(p), h, v, quant);
            maxH = Math.max(maxH, h);
            maxV = Math.max(maxV, v);
        }
        mcusWide = ceilDiv(width, 8 * maxH);
        mcusHigh = ceilDiv(height, 8 * maxV);
        int n = idct.size();
        for (Component c : components) {
            if (maxH % c.h != 0 || maxV % c.v != 0) {
                throw new JpegFormatException("unsupported sampling factors");
            }
            c.stride = mcusWide * c.h * n;
            c.plane = new byte[c.stride * mcusHigh * c.v * n];
        }
    }

    /** Decodes one scan and returns where its entropy-coded data ends. */
    private int readScan(int position, int end) throws JpegFormatException {
        if (components == null) {
            throw new JpegFormatException("scan before frame");
        }
        int count = u8(position);
        if (count < 1 || count > components.length || position + 1 + 2 * count + 3 > end) {
            throw new JpegFormatException("invalid scan");
        }
        var scanComponents = new Component[count];
        var dc = new HuffmanTable[count];
        var ac = new HuffmanTable[count];
        var quant = new int[count][];
        for (int i = 0; i < count; i++) {
            int id = u8(position + 1 + 2 * i);
            int tables = u8(position + 2 + 2 * i);
            for (Component c : components) {
                if (c.id == id) {
                    scanComponents[i] = c;
                }
            }
            if (scanComponents[i] == null || (tables >> 4) > 3 || (tables & 15) > 3) {
                throw new JpegFormatException("invalid scan component");
            }
            dc[i] = dcTables[tables >> 4];
            ac[i] = acTables[tables & 15];
            quant[i] = quantTables[scanComponents[i].quantTable];
            if (dc[i] == null || ac[i] == null || quant[i] == null) {
                throw new JpegFormatException("missing table");
            }
        }
        int p = position + 1 + 2 * count;
        if (u8(p) != 0 || u8(p + 1) != 63 || u8(p + 2) != 0) {
            throw new JpegFormatException("not a sequential scan");
        }
        var reader = new EntropyReader(data, end);
        var predictors = new int[count];
        var coefficients = new int[64];
        int n = idct.size();
        int mcu = 0;
        if (count == 1) {
            // A scan of one component is not interleaved: its MCU is one block (T.81 A.2.2).
            Component c = scanComponents[0];
            int blocksWide = ceilDiv(ceilDiv(width * c.h, maxH), 8);
            int blocksHigh = ceilDiv(ceilDiv(height * c.v, maxV), 8);
            for (int by = 0; by < blocksHigh; by++) {
                for (int bx = 0; bx < blocksWide; bx++, mcu++) {
                    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0) {
                        reader.restart();
                        predictors[0] = 0;
                    }
                    predictors[0] = decodeBlock(reader, dc[0], ac[0], quant[0], predictors[0], coefficients);
                    idct.transform(coefficients, c.plane, c.stride, bx * n, by * n);
                }
            }
        } else {
            for (int my = 0; my < mcusHigh; my++) {
                for (int mx = 0; mx < mcusWide; mx++, mcu++) {
                    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0) {
                        reader.restart();
                        java.util.Arrays.fill(predictors, 0);
                    }
                    for (int i = 0; i < count; i++) {
                        Component c = scanComponents[i];
                        for (int v = 0; v < c.v; v++) {
                            for (int h = 0; h < c.h; h++) {
                                predictors[i] = decodeBlock(reader, dc[i], ac[i], quant[i], predictors[i],
                                        coefficients);
                                idct.transform(coefficients, c.plane, c.stride, (mx * c.h + h) * n,
                                        (my * c.v + v) * n);
                            }
                        }
                    }
                }
            }
        }
        scanned = true;
        return reader.position();
    }

    private int decodeBlock(EntropyReader reader, HuffmanTable dc, HuffmanTable ac, int[] quant, int predictor,
                            int[] coefficients) throws JpegFormatException {
        int n = idct.size();
        for (int row = 0; row < n; row++) {
            java.util.Arrays.fill(coefficients, row * 8, row * 8 + n, 0);
        }
        return reader.decodeBlock(dc, ac, quant, predictor, kept, keptEnd, coefficients);
    }

    private BufferedImage image() {
        int n = idct.size();
        int outWidth = ceilDiv(width * n, 8);
        int outHeight = ceilDiv(height * n, 8);
        var image = new BufferedImage(outWidth, outHeight, BufferedImage.TYPE_INT_RGB);
        int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        if (components.length == 1) {
            Component gray = components[0];
            for (int y = 0; y < outHeight; y++) {
                for (int x = 0; x < outWidth; x++) {
                    int g = gray.plane[y * gray.stride + x] & 0xFF;
                    pixels[y * outWidth + x] = g << 16 | g << 8 | g;
                }
            }
            return image;
        }
        UpsampledRows[] rows = new UpsampledRows[3];
        for (int i = 0; i < 3; i++) {
            Component c = components[i];
            rows[i] = new UpsampledRows(c.plane, c.stride, maxH / c.h, maxV / c.v, outWidth);
        }
        int[] a = new int[outWidth];
        int[] b = new int[outWidth];
        int[] c = new int[outWidth];
        for (int y = 0, offset = 0; y < outHeight; y++, offset += outWidth) {
            rows[0].row(y, a);
            rows[1].row(y, b);
            rows[2].row(y, c);
            if (adobeRgb) {
                for (int x = 0; x < outWidth; x++) {
                    pixels[offset + x] = a[x] << 16 | b[x] << 8 | c[x];
                }
            } else {
                YCbCr.toRgb(a, b, c, pixels, offset);
            }
        }
        return image;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
