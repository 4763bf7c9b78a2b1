package dev.myelin.server.media.jpeg;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads the entropy-coded segment of a scan bit by bit (ITU T.81 F.2.2.5): a stuffed {@code FF 00} is the data
 * byte {@code FF}; at any other marker the reader stops and feeds zero bits until {@link #restart} moves past it.
 */
final class EntropyReader {
    private static final VarHandle BIG_ENDIAN_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

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

    private void fill() {
        while (count <= 56) {
            if (count <= 32 && !atMarker && position + 4 <= data.length) {
                // Four bytes at once when none of them is FF (no stuffing, no marker): the common case.
                int word = (int) BIG_ENDIAN_INT.get(data, position);
                int inverted = ~word;
                if (((inverted - 0x01010101) & ~inverted & 0x80808080) == 0) {
                    bits = bits << 32 | word & 0xFFFFFFFFL;
                    count += 32;
                    position += 4;
                    continue;
                }
            }
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

    /** Decodes one Huffman-coded value. */
    int decode(HuffmanTable table) throws JpegFormatException {
        if (count < 16) {
            fill();
        }
        int entry = table.lookup[(int) (bits >>> (count - HuffmanTable.LOOKUP_BITS)) & (1 << HuffmanTable.LOOKUP_BITS) - 1];
        if (entry != 0) {
            count -= entry >>> 8;
            return entry & 0xFF;
        }
        int code = (int) (bits >>> (count - 16)) & 0xFFFF;
        for (int length = HuffmanTable.LOOKUP_BITS + 1; length <= 16; length++) {
            int prefix = code >>> (16 - length);
            if (prefix <= table.maxCode[length]) {
                count -= length;
                return table.values[table.valueOffset[length] + prefix] & 0xFF;
            }
        }
        throw new JpegFormatException("invalid Huffman code");
    }

    /**
     * Decodes one block's coefficients (T.81 F.2.2.1 and F.2.2.2) and returns the new DC predictor. The
     * dequantized coefficients whose zig-zag position has a natural index in {@code kept} (not -1) are stored there;
     * the bits of the others are skipped. The bit buffer lives in locals here: this loop is the decoder's hot path.
     */
    int decodeBlock(HuffmanTable dc, HuffmanTable ac, int[] quant, int predictor, int[] kept, int[] coefficients)
            throws JpegFormatException {
        int dcValue = predictor + receiveExtend(decode(dc));
        coefficients[0] = dcValue * quant[0];
        int[] lookup = ac.lookup;
        long b = bits;
        int c = count;
        for (int k = 1; k < 64; k++) {
            if (c < 32) {
                bits = b;
                count = c;
                fill();
                b = bits;
                c = count;
            }
            int entry = lookup[(int) (b >>> (c - HuffmanTable.LOOKUP_BITS)) & (1 << HuffmanTable.LOOKUP_BITS) - 1];
            int rs;
            if (entry != 0) {
                c -= entry >>> 8;
                rs = entry & 0xFF;
            } else {
                bits = b;
                count = c;
                rs = decode(ac);
                b = bits;
                c = count;
            }
            int size = rs & 15;
            if (size == 0) {
                if (rs >> 4 != 15) {
                    break; // end of block
                }
                k += 15;
                continue;
            }
            k += rs >> 4;
            if (k > 63) {
                throw new JpegFormatException("coefficient out of the block");
            }
            c -= size;
            int natural = kept[k];
            if (natural >= 0) {
                int value = (int) (b >>> c) & (1 << size) - 1;
                coefficients[natural] = (value < 1 << (size - 1) ? value - (1 << size) + 1 : value) * quant[k];
            }
        }
        bits = b;
        count = c;
        return dcValue;
    }

    /** Reads {@code size} more bits and extends them to a signed value (F.2.2.1, EXTEND). */
    int receiveExtend(int size) throws JpegFormatException {
        if (size == 0) {
            return 0;
        }
        if (size > 16) {
            throw new JpegFormatException("invalid coefficient size");
        }
        if (count < size) {
            fill();
        }
        int value = (int) (bits >>> (count - size)) & (1 << size) - 1;
        count -= size;
        return value < 1 << (size - 1) ? value - (1 << size) + 1 : value;
    }

    /** Skips {@code size} bits (a coefficient this decoder does not need). */
    void skip(int size) {
        if (count < size) {
            fill();
        }
        count -= size;
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
