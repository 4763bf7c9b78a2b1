package dev.myelin.server.media.jpeg;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Blocks coded by hand with small tables that have every kind of lookup entry: values carried in the entry, values
 * read after a short code, codes longer than the lookup, sixteen zeros, the end of block, and an FF byte stuffed.
 */
class EntropyReaderTest {
    /** DC: category 3 is "0", 11 is "10", 0 is "11". */
    private static final int[] DC_COUNTS = {1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final byte[] DC_SYMBOLS = {3, 11, 0};
    /**
     * AC, canonical codes: EOB "00", 0x01 "01", 0x23 "100", ZRL "1010", 0x19 "1011000000000" (13 bits, past the
     * lookup), 0x0A "1011000000001000" (16 bits).
     */
    private static final int[] AC_COUNTS = {0, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1};
    private static final byte[] AC_SYMBOLS = {0x00, 0x01, 0x23, (byte) 0xF0, 0x19, 0x0A};

    /** Writes bits most significant first, stuffing a 0 after each FF byte (T.81 F.1.2.3). */
    private static final class Bits {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int current;
        private int used;

        Bits put(String bits) {
            for (char bit : bits.toCharArray()) {
                current = current << 1 | (bit - '0');
                if (++used == 8) {
                    out.write(current);
                    if (current == 0xFF) {
                        out.write(0);
                    }
                    current = 0;
                    used = 0;
                }
            }
            return this;
        }

        /** The coded bytes, padded with 1 bits, then the EOI marker. */
        byte[] end() {
            while (used != 0) {
                put("1");
            }
            out.write(0xFF);
            out.write(0xD9);
            return out.toByteArray();
        }
    }

    private static byte[] twoBlocks() {
        return new Bits()
                // Block 1. DC: category 3, bits 101 = +5.
                .put("0").put("101")
                // AC 0x01 at 1: bit 0 = -1. AC 0x23, two zeros, then at 4: bits 011 = -4.
                .put("01").put("0").put("100").put("011")
                // Sixteen zeros (5 to 20), then 0x19 (13-bit code) at 22: bits 100000001 = +257.
                .put("1010").put("1011000000000").put("100000001")
                // 0x0A (16-bit code) at 23: bits 0000000000 = -1023; then the end of block.
                .put("1011000000001000").put("0000000000").put("00")
                // Block 2. DC: category 11, eleven 1 bits = +2047, so FF bytes are stuffed; AC: end of block.
                .put("10").put("11111111111").put("00")
                .end();
    }

    private static int[] identity(int end) {
        int[] kept = new int[64];
        Arrays.fill(kept, -1);
        for (int k = 0; k < end; k++) {
            kept[k] = k;
        }
        return kept;
    }

    @Test
    void decodesEveryKindOfEntry() throws JpegFormatException {
        var dc = new HuffmanTable(DC_COUNTS, DC_SYMBOLS, true);
        var ac = new HuffmanTable(AC_COUNTS, AC_SYMBOLS, false);
        int[] quant = new int[64];
        Arrays.fill(quant, 2);
        byte[] data = twoBlocks();
        var reader = new EntropyReader(data, 0);
        int[] coefficients = new int[64];
        int predictor = reader.decodeBlock(dc, ac, quant, 0, identity(64), 64, coefficients);
        int[] expected = new int[64];
        expected[0] = 10;
        expected[1] = -2;
        expected[4] = -8;
        expected[22] = 514;
        expected[23] = -2046;
        assertEquals(5, predictor);
        assertArrayEquals(expected, coefficients);

        Arrays.fill(coefficients, 0);
        assertEquals(5 + 2047, reader.decodeBlock(dc, ac, quant, predictor, identity(64), 64, coefficients));
        assertEquals(2 * 2052, coefficients[0]);
        assertEquals(data.length - 2, reader.position(), "stopped at the EOI marker");
    }

    @Test
    void skipsCoefficientsPastTheKeptOnesBitExactly() throws JpegFormatException {
        var dc = new HuffmanTable(DC_COUNTS, DC_SYMBOLS, true);
        var ac = new HuffmanTable(AC_COUNTS, AC_SYMBOLS, false);
        int[] quant = new int[64];
        Arrays.fill(quant, 1);
        var reader = new EntropyReader(twoBlocks(), 0);
        int[] coefficients = new int[64];
        // Only zig-zag positions 0 to 4 kept (a 2x2 decode keeps 0, 1, 2 and 4): the rest are skipped.
        int predictor = reader.decodeBlock(dc, ac, quant, 0, identity(5), 5, coefficients);
        int[] expected = new int[64];
        expected[0] = 5;
        expected[1] = -1;
        expected[4] = -4;
        assertArrayEquals(expected, coefficients);
        assertEquals(2052, reader.decodeBlock(dc, ac, quant, predictor, identity(5), 5, coefficients));
    }

    @Test
    void refusesTablesWithValueSizesBeyondEightBitImages() {
        assertThrows(JpegFormatException.class, () -> new HuffmanTable(DC_COUNTS, new byte[] {3, 12, 0}, true));
        assertThrows(JpegFormatException.class,
                () -> new HuffmanTable(AC_COUNTS, new byte[] {0x00, 0x01, 0x2B, (byte) 0xF0, 0x19, 0x0A}, false));
    }
}
