package dev.myelin.spec.json;

/**
 * Checks that bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF). Also refuses raw NUL, which JSON text never contains and which would make
 * Jackson guess UTF-16 or UTF-32.
 */
final class Utf8Validator {
    private Utf8Validator() {
    }

    /** @throws InvalidJsonException naming the offset of the first bad byte */
    static void check(byte[] bytes) {
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i];
            if (b > 0) {
                i++;
                continue;
            }
            b &= 0xFF;
            int length;
            int min;
            if (b == 0) {
                throw invalid("NUL byte", i);
            } else if (b >= 0xC2 && b <= 0xDF) {
                length = 2;
                min = 0x80;
            } else if (b >= 0xE0 && b <= 0xEF) {
                length = 3;
                min = 0x800;
            } else if (b >= 0xF0 && b <= 0xF4) {
                length = 4;
                min = 0x10000;
            } else {
                throw invalid("invalid UTF-8 lead byte", i);
            }
            if (i + length > bytes.length) {
                throw invalid("truncated UTF-8 sequence", i);
            }
            int cp = b & (0x7F >> length);
            for (int k = 1; k < length; k++) {
                int next = bytes[i + k] & 0xFF;
                if ((next & 0xC0) != 0x80) {
                    throw invalid("invalid UTF-8 continuation byte", i + k);
                }
                cp = cp << 6 | next & 0x3F;
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                throw invalid("overlong, surrogate or out-of-range UTF-8 sequence", i);
            }
            i += length;
        }
    }

    private static InvalidJsonException invalid(String what, int offset) {
        return new InvalidJsonException(what + " at byte " + offset);
    }
}
