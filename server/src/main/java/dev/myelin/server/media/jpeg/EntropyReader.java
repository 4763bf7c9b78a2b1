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
    /** The next {@link #count} bits of the stream, from the most significant bit down; the bits after them are 0. */
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
                bits |= (word & -1L << 64 - 8 * bytes) >>> count;
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
            bits |= (long) b << 56 - count;
            count += 8;
        }
    }

    /**
     * Decodes one block's coefficients (T.81 F.2.2.1 and F.2.2.2) and returns the new DC predictor. The
     * dequantized coefficients whose zig-zag position has a natural index in {@code kept} (not -1) are stored there;
     * none lies at or past zig-zag position {@code keptEnd}, so from there on the symbols are only counted and their
     * bits skipped: one lookup, one shift. The bit buffer lives in locals here: this loop is the decoder's hot path.
     * A symbol takes at most 27 bits (16 of code, 11 of value), so a buffer of at least 32 holds the next one.
     */
    int decodeBlock(HuffmanTable dc, HuffmanTable ac, int[] quant, int predictor, int[] kept, int keptEnd,
                    int[] coefficients) throws JpegFormatException {
        if (count < 32) {
            fill();
        }
        long b = bits;
        int c = count;
        int entry = entry(dc, b);
        int dcValue = predictor;
        if ((entry & HuffmanTable.VALUE_INCLUDED) != 0) {
            dcValue += entry >> 22;
        } else {
            dcValue += value(b << (entry >>> 5 & 31), entry >>> 10 & 15);
        }
        b <<= entry & 31;
        c -= entry & 31;
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
            entry = entry(ac, b);
            int value = (entry & HuffmanTable.VALUE_INCLUDED) != 0 ? entry >> 22
                    : value(b << (entry >>> 5 & 31), entry >>> 10 & 15);
            b <<= entry & 31;
            c -= entry & 31;
            k += entry >>> 14 & 127;
            if (value != 0) { // a coefficient at k - 1 (the end of block and sixteen zeros have none)
                if (k > 64) {
                    throw new JpegFormatException("coefficient out of the block");
                }
                int natural = kept[k - 1];
                if (natural >= 0) {
                    coefficients[natural] = value * quant[k - 1];
                }
            }
        }
        while (k < 64) {
            if (c < 32) {
                bits = b;
                count = c;
                fill();
                b = bits;
                c = count;
            }
            entry = entry(ac, b);
            b <<= entry & 31;
            c -= entry & 31;
            k += entry >>> 14 & 127;
        }
        bits = b;
        count = c;
        return dcValue;
    }

    /** The table's entry for the code at the top of the buffer, which must hold at least 16 bits. */
    private static int entry(HuffmanTable table, long b) throws JpegFormatException {
        int entry = table.lookup[(int) (b >>> 64 - HuffmanTable.LOOKUP_BITS)];
        return entry != 0 ? entry : table.longCodeEntry((int) (b >>> 48));
    }

    /** The {@code size} value bits at the top of {@code b}, extended to a signed value (0 when there are none). */
    private static int value(long b, int size) {
        return size == 0 ? 0 : HuffmanTable.extend((int) (b >>> 64 - size), size);
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
