package dev.myelin.server.media.jpeg;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads the entropy-coded segment of a scan bit by bit (ITU T.81 F.2.2.5): a stuffed {@code FF 00} is the data
 * byte {@code FF}; at any other marker the reader stops and feeds zero bits until {@link #restart} moves past it.
 */
final class EntropyReader {
    private static final VarHandle BIG_ENDIAN_LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final long LOW_BITS = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private final byte[] data;
    private int position;
    private long bits;
    private int count;
    private boolean atMarker;

    EntropyReader(byte[] data, int position) {
        this.data = data;
        this.position = position;
    }

    /** Where the reader stopped: the first byte it has not consumed (a marker, once the scan is read). */
    int position() {
        return position;
    }

    /** Tops the buffer up to more than 56 bits. */
    private void fill() {
        if (count < 56 && !atMarker && position + 8 <= data.length) {
            // As many whole bytes as fit, from eight read at once when none of them is FF (no stuffing, no marker):
            // the common case. The test is the classic "has a zero byte" on the inverted word.
            long word = (long) BIG_ENDIAN_LONG.get(data, position);
            if ((~word - LOW_BITS & word & HIGH_BITS) == 0) {
                int bytes = (63 - count) >>> 3;
                bits = bits << 8 * bytes | word >>> 64 - 8 * bytes;
                count += 8 * bytes;
                position += bytes;
                return;
            }
        }
        while (count <= 56) {
            int b = 0;
            if (!atMarker && position < data.length) {
                b = data[position] & 0xFF;
                if (b == 0xFF) {
                    int next = position + 1 < data.length ? data[position + 1] & 0xFF : 0xD9;
                    if (next == 0) {
                        position += 2;
                    } else {
                        atMarker = true;
                        b = 0;
                    }
                } else {
                    position++;
                }
            }
            bits = bits << 8 | b;
            count += 8;
        }
    }

    /**
     * Decodes one block's coefficients (T.81 F.2.2.1 and F.2.2.2) and returns the new DC predictor. The
     * dequantized coefficients whose zig-zag position has a natural index in {@code kept} (not -1) are stored there;
     * none lies at or past zig-zag position {@code keptEnd}, so from there on the symbols are only counted and their
     * bits skipped. The bit buffer lives in locals here: this loop is the decoder's hot path.
     */
    int decodeBlock(HuffmanTable dc, HuffmanTable ac, int[] quant, int predictor, int[] kept, int keptEnd,
                    int[] coefficients) throws JpegFormatException {
        if (count < 32) {
            fill();
        }
        long b = bits;
        int c = count;
        int entry = entry(dc, b, c);
        c -= entry & 31;
        int dcValue = predictor;
        if ((entry & HuffmanTable.VALUE_INCLUDED) != 0) {
            dcValue += entry >> 19;
        } else {
            int size = entry >>> 10 & 15;
            c -= size;
            dcValue += HuffmanTable.extend((int) (b >>> c) & (1 << size) - 1, size);
        }
        coefficients[0] = dcValue * quant[0];
        int k = 1;
        while (k < keptEnd) {
            if (c < 32) {
                bits = b;
                count = c;
                fill();
                b = bits;
                c = count;
            }
            entry = entry(ac, b, c);
            c -= entry & 31;
            int rs = entry >>> 10 & 0xFF;
            int size = rs & 15;
            if (size == 0) {
                if (rs != 0xF0) {
                    k = 64; // end of block
                    break;
                }
                k += 16; // sixteen zeros
                continue;
            }
            k += rs >>> 4;
            if (k > 63) {
                throw new JpegFormatException("coefficient out of the block");
            }
            int value;
            if ((entry & HuffmanTable.VALUE_INCLUDED) != 0) {
                value = entry >> 19;
            } else {
                c -= size;
                value = HuffmanTable.extend((int) (b >>> c) & (1 << size) - 1, size);
            }
            int natural = kept[k];
            if (natural >= 0) {
                coefficients[natural] = value * quant[k];
            }
            k++;
        }
        while (k < 64) {
            if (c < 32) {
                bits = b;
                count = c;
                fill();
                b = bits;
                c = count;
            }
            entry = entry(ac, b, c);
            c -= entry >>> 5 & 31; // code and value bits
            int rs = entry >>> 10 & 0xFF;
            if ((rs & 15) == 0) {
                if (rs != 0xF0) {
                    break; // end of block
                }
                k += 16;
                continue;
            }
            k += rs >>> 4;
            if (k > 63) {
                throw new JpegFormatException("coefficient out of the block");
            }
            k++;
        }
        bits = b;
        count = c;
        return dcValue;
    }

    /** The table's entry for the code at the top of the buffer's {@code c} bits, which must be at least 16. */
    private static int entry(HuffmanTable table, long b, int c) throws JpegFormatException {
        int entry = table.lookup[(int) (b >>> (c - HuffmanTable.LOOKUP_BITS)) & HuffmanTable.LOOKUP_MASK];
        return entry != 0 ? entry : table.longCodeEntry((int) (b >>> (c - 16)) & 0xFFFF);
    }

    /** At a restart interval's end: drops the partial byte and moves past the RSTn marker (F.2.1.3). */
    void restart() throws JpegFormatException {
        bits = 0;
        count = 0;
        if (!atMarker) {
            while (position + 1 < data.length
                    && !(data[position] == (byte) 0xFF && data[position + 1] != 0 && data[position + 1] != (byte) 0xFF)) {
                position++;
            }
        }
        if (position + 1 >= data.length) {
            throw new JpegFormatException("missing restart marker");
        }
        int marker = data[position + 1] & 0xFF;
        if (marker < 0xD0 || marker > 0xD7) {
            throw new JpegFormatException("missing restart marker");
        }
        position += 2;
        atMarker = false;
    }
}
