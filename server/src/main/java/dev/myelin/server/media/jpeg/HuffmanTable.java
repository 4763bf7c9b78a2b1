package dev.myelin.server.media.jpeg;

/**
 * A JPEG Huffman table (ITU T.81 annex C.2 and F.2.2.3) with a lookup on the next {@link #LOOKUP_BITS} bits of the
 * stream. A symbol's low four bits are the size of the value bits that follow its code (F.1.2.1 and F.1.2.2: the DC
 * difference category, or the AC coefficient's size under its run of zeros), so when code and value bits together
 * fit in the lookup, its entry carries the decoded value too and the symbol costs one lookup. Longer codes are found
 * with the canonical {@code maxcode}/{@code valptr} procedure ({@link #longCodeEntry}).
 *
 * <p>An entry packs, from the low bits: the code and value bits together (5 bits; 0 for a code longer than the
 * lookup), the code's bits (5), the value's size (4), how far the symbol moves along the zig-zag order (7: the run
 * plus one, 16 for sixteen zeros, 64 for the end of the block), a flag for "value included" and the value extended
 * to a signed int (10, the top bits, so only values of up to 9 bits are included).
 */
final class HuffmanTable {
    static final int LOOKUP_BITS = 12;
    static final int VALUE_INCLUDED = 1 << 21;
    /** The largest value size an entry can carry in its 10 signed bits. */
    private static final int INCLUDED_SIZE = 9;
    /** Zig-zag positions moved by the end-of-block symbol: past the last one from anywhere. */
    static final int END_OF_BLOCK = 64;

    /** Indexed by the next {@link #LOOKUP_BITS} bits of the stream. */
    final int[] lookup = new int[1 << LOOKUP_BITS];
    /** The largest code of each length (1 to 16), -1 when there is none. */
    private final int[] maxCode = new int[17];
    /** The index in {@link #values} of the first code of each length, minus that code. */
    private final int[] valueOffset = new int[17];
    private final byte[] values;

    /**
     * From the 16 code counts per length and the symbols, as a DHT segment carries them. Value sizes must be at most
     * those of an 8-bit image: 11 for DC, 10 for AC (T.81 F.1.2.1 and F.1.2.2), so a symbol takes at most 27 bits.
     */
    HuffmanTable(int[] counts, byte[] values, boolean dc) throws JpegFormatException {
        this.values = values;
        int code = 0;
        int k = 0;
        for (int length = 1; length <= 16; length++) {
            int n = counts[length - 1];
            valueOffset[length] = k - code;
            for (int i = 0; i < n; i++, code++, k++) {
                if (code >= 1 << length || k >= values.length) {
                    throw new JpegFormatException("invalid Huffman table");
                }
                int symbol = values[k] & 0xFF;
                if (dc ? symbol > 11 : (symbol & 15) > 10) {
                    throw new JpegFormatException("invalid Huffman table");
                }
                if (length <= LOOKUP_BITS) {
                    int shift = LOOKUP_BITS - length;
                    for (int index = code << shift; index < (code + 1) << shift; index++) {
                        lookup[index] = entry(symbol, length, index);
                    }
                }
            }
            maxCode[length] = n == 0 ? -1 : code - 1;
            code <<= 1;
        }
    }

    /** The entry for a code of {@code length} bits at the top of the lookup index {@code index}. */
    private static int entry(int symbol, int length, int index) {
        int size = symbol & 15;
        int total = length + size;
        if (total > LOOKUP_BITS || size > INCLUDED_SIZE) {
            return symbolEntry(symbol, length);
        }
        int value = extend(index >> (LOOKUP_BITS - total) & (1 << size) - 1, size);
        return value << 22 | VALUE_INCLUDED | symbolEntry(symbol, length);
    }

    /** An entry without the value: consume the code's {@code length} bits, then the value's. */
    private static int symbolEntry(int symbol, int length) {
        int size = symbol & 15;
        int advance = size != 0 ? (symbol >>> 4) + 1 : symbol == 0xF0 ? 16 : END_OF_BLOCK;
        return advance << 14 | size << 10 | length << 5 | length + size;
    }

    /** The entry of a code longer than {@link #LOOKUP_BITS}, from the next 16 bits of the stream, without the value. */
    int longCodeEntry(int next16) throws JpegFormatException {
        for (int length = LOOKUP_BITS + 1; length <= 16; length++) {
            int prefix = next16 >>> (16 - length);
            if (prefix <= maxCode[length]) {
                return symbolEntry(values[valueOffset[length] + prefix] & 0xFF, length);
            }
        }
        throw new JpegFormatException("invalid Huffman code");
    }

    /** The {@code size} value bits read as a signed value (F.2.2.1, EXTEND): below half the range is negative. */
    static int extend(int bits, int size) {
        return size == 0 || bits >= 1 << (size - 1) ? bits : bits - (1 << size) + 1;
    }
}
