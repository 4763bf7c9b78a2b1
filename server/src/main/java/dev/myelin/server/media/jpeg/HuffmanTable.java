package dev.myelin.server.media.jpeg;

/**
 * A JPEG Huffman table (ITU T.81 annex C.2 and F.2.2.3) with a lookup on the next {@link #LOOKUP_BITS} bits of the
 * stream. A symbol's low four bits are the size of the value bits that follow its code (F.1.2.1 and F.1.2.2: the DC
 * difference category, or the AC coefficient's size under its run of zeros), so when code and value bits together
 * fit in the lookup, its entry carries the decoded value too and the symbol costs one lookup. Longer codes are found
 * with the canonical {@code maxcode}/{@code valptr} procedure ({@link #longCodeEntry}).
 *
 * <p>An entry packs, from the low bits: the bits to consume now (5; 0 for a code longer than the lookup), the bits of
 * code and value together (5), the symbol (8), a flag for "value included" and the value extended to a signed
 * int (13, the top bits).
 */
final class HuffmanTable {
    static final int LOOKUP_BITS = 12;
    static final int LOOKUP_MASK = (1 << LOOKUP_BITS) - 1;
    static final int VALUE_INCLUDED = 1 << 18;

    /** Indexed by the next {@link #LOOKUP_BITS} bits of the stream. */
    final int[] lookup = new int[1 << LOOKUP_BITS];
    /** The largest code of each length (1 to 16), -1 when there is none. */
    private final int[] maxCode = new int[17];
    /** The index in {@link #values} of the first code of each length, minus that code. */
    private final int[] valueOffset = new int[17];
    private final byte[] values;

    /**
     * From the 16 code counts per length and the symbols, as a DHT segment carries them. DC symbols (categories) must
     * be at most 11, the largest an 8-bit image has (T.81 table F.1).
     */
    HuffmanTable(int[] counts, byte[] values, boolean dc) throws JpegFormatException {
        this.values = values;
        int code = 0;
        int k = 0;
        for (int length = 1; length <= 16; length++) {
            int n = counts[length - 1];
            valueOffset[length] = k - code;
            for (int i = 0; i < n; i++, code++, k++) {
                if (code >= 1 << length || k >= values.length || dc && (values[k] & 0xFF) > 11) {
                    throw new JpegFormatException("invalid Huffman table");
                }
                if (length <= LOOKUP_BITS) {
                    int shift = LOOKUP_BITS - length;
                    for (int index = code << shift; index < (code + 1) << shift; index++) {
                        lookup[index] = entry(values[k] & 0xFF, length, index);
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
        if (total > LOOKUP_BITS) {
            return symbolEntry(symbol, length);
        }
        int value = extend(index >> (LOOKUP_BITS - total) & (1 << size) - 1, size);
        return value << 19 | VALUE_INCLUDED | symbol << 10 | total << 5 | total;
    }

    /** An entry without the value: consume the code's {@code length} bits now, the value's bits after. */
    private static int symbolEntry(int symbol, int length) {
        return symbol << 10 | (length + (symbol & 15)) << 5 | length;
    }

    /**
     * The entry of a code longer than {@link #LOOKUP_BITS}, from the next 16 bits of the stream (the top of
     * {@code next16}), without the value.
     */
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
