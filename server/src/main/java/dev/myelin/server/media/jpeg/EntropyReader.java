package dev.myelin.server.media.jpeg;

import java.nio.ByteBuffer;

/**
 * Reads the entropy-coded segment of a scan bit by bit (ITU T.81 F.2.2.5): a stuffed {@code FF 00} is the data
 * byte {@code FF}; at any other marker the reader stops and feeds zero bits until {@link #restart} moves past it.
 */
final class EntropyReader {
    private final ByteBuffer data;
    private int position;
    private long bits;
    private int count;
    private boolean atMarker;

    EntropyReader(ByteBuffer data, int position) {
        this.data = data;
        this.position = position;
    }

    /** Where the reader stopped: the first byte it has not consumed (a marker, once the scan is read). */
    int position() {
        return position;
    }

    private void fill() {
        while (count <= 56) {
            int b = 0;
            if (!atMarker && position < data.limit()) {
                b = data.get(position) & 0xFF;
                if (b == 0xFF) {
                    int next = position + 1 < data.limit() ? data.get(position + 1) & 0xFF : 0xD9;
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
            while (position + 1 < data.limit()
                    && !(data.get(position) == (byte) 0xFF && data.get(position + 1) != 0 && data.get(position + 1) != (byte) 0xFF)) {
                position++;
            }
        }
        if (position + 1 >= data.limit()) {
            throw new JpegFormatException("missing restart marker");
        }
        int marker = data.get(position + 1) & 0xFF;
        if (marker < 0xD0 || marker > 0xD7) {
            throw new JpegFormatException("missing restart marker");
        }
        position += 2;
        atMarker = false;
    }
}
