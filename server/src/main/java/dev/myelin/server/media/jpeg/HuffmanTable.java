package dev.myelin.server.media.jpeg;

/**
 * A JPEG Huffman table (ITU T.81 annex C.2 and F.2.2.3): codes of up to {@link #LOOKUP_BITS} bits are found in one
 * table lookup, longer ones with the canonical {@code maxcode}/{@code valptr} procedure.
 */
final class HuffmanTable {
    static final int LOOKUP_BITS = 12;

    /** Indexed by the next {@link #LOOKUP_BITS} bits: {@code length << 8 | value}, or 0 for a longer code. */
    final int[] lookup = new int[1 << LOOKUP_BITS];
    /** The largest code of each length (1 to 16), -1 when there is none. */
    final int[] maxCode = new int[17];
    /** The index in {@link #values} of the first code of each length, minus that code. */
    final int[] valueOffset = new int[17];
    final byte[] values;

    /** From the 16 code counts per length and the values, as a DHT segment carries them. */
    HuffmanTable(int[] counts, byte[] values) throws JpegFormatException {
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
                if (length <= LOOKUP_BITS) {
                    int shift = LOOKUP_BITS - length;
                    int entry = length << 8 | values[k] & 0xFF;
                    java.util.Arrays.fill(lookup, code << shift, (code + 1) << shift, entry);
                }
            }
            maxCode[length] = n == 0 ? -1 : code - 1;
            code <<= 1;
        }
    }
}
