package dev.myelin.spec.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/** Writes one canonical JSON document straight into a growing byte array. Single use. */
final class CanonicalJsonWriter {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);
    private static final BigInteger MAX = BigInteger.valueOf(CanonicalJson.MAX_SAFE_INTEGER);
    private static final BigInteger MIN = MAX.negate();
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final Map.Entry<String, JsonNode>[] NO_ENTRIES = new Map.Entry[0];

    private final boolean strict;
    private byte[] buffer = new byte[1024];
    private int size;

    CanonicalJsonWriter(boolean strict) {
        this.strict = strict;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buffer, size);
    }

    CanonicalJsonWriter value(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> object((ObjectNode) node, Set.of());
            case ARRAY -> array(node);
            case STRING -> string(node.textValue());
            case NUMBER -> number(node);
            case BOOLEAN -> raw(node.booleanValue() ? TRUE : FALSE);
            case NULL -> raw(NULL);
            default -> throw new InvalidJsonException("not a JSON value: " + node.getNodeType());
        }
        return this;
    }

    CanonicalJsonWriter object(ObjectNode object, Set<String> omittedKeys) {
        Map.Entry<String, JsonNode>[] entries = object.properties().toArray(NO_ENTRIES);
        if (entries.length > 1) {
            Arrays.sort(entries, (a, b) -> CodePointOrder.INSTANCE.compare(a.getKey(), b.getKey()));
        }
        put('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> entry : entries) {
            if (omittedKeys.contains(entry.getKey())) {
                continue;
            }
            if (!first) {
                put(',');
            }
            first = false;
            string(entry.getKey());
            put(':');
            value(entry.getValue());
        }
        put('}');
        return this;
    }

    private void array(JsonNode array) {
        put('[');
        for (int i = 0; i < array.size(); i++) {
            if (i > 0) {
                put(',');
            }
            value(array.get(i));
        }
        put(']');
    }

    private void number(JsonNode node) {
        if (node.isIntegralNumber()) {
            integer(node);
        } else if (!strict) {
            ascii(PythonFloat.repr(node.doubleValue()));
        } else if (node.canConvertToExactIntegral()) {
            integer(node);
        } else {
            throw new InvalidJsonException("canonical JSON has no floats: " + node.asText());
        }
    }

    private void integer(JsonNode node) {
        if (node.canConvertToLong()) {
            long value = node.longValue();
            if (strict && (value > CanonicalJson.MAX_SAFE_INTEGER || value < -CanonicalJson.MAX_SAFE_INTEGER)) {
                throw new InvalidJsonException("integer out of canonical JSON range: " + value);
            }
            ascii(Long.toString(value));
        } else {
            BigInteger value = node.bigIntegerValue();
            if (strict && (value.compareTo(MAX) > 0 || value.compareTo(MIN) < 0)) {
                throw new InvalidJsonException("integer out of canonical JSON range: " + value);
            }
            ascii(value.toString());
        }
    }

    /** Reserves the worst case up front (6 bytes per escaped char) so the loop never checks. */
    private void string(String s) {
        ensure(s.length() * 6 + 2);
        byte[] out = buffer;
        int at = size;
        out[at++] = '"';
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                out[at++] = (byte) c;
            } else if (c < 0x80) {
                at = escape(c, out, at);
            } else if (c < 0x800) {
                out[at++] = (byte) (0xC0 | c >> 6);
                out[at++] = (byte) (0x80 | c & 0x3F);
            } else if (!Character.isSurrogate(c)) {
                out[at++] = (byte) (0xE0 | c >> 12);
                out[at++] = (byte) (0x80 | c >> 6 & 0x3F);
                out[at++] = (byte) (0x80 | c & 0x3F);
            } else {
                char low = i + 1 < s.length() ? s.charAt(i + 1) : 0;
                if (!Character.isHighSurrogate(c) || !Character.isLowSurrogate(low)) {
                    throw new InvalidJsonException("string holds a lone surrogate U+" + Integer.toHexString(c));
                }
                int cp = Character.toCodePoint(c, low);
                i++;
                out[at++] = (byte) (0xF0 | cp >> 18);
                out[at++] = (byte) (0x80 | cp >> 12 & 0x3F);
                out[at++] = (byte) (0x80 | cp >> 6 & 0x3F);
                out[at++] = (byte) (0x80 | cp & 0x3F);
            }
        }
        out[at++] = '"';
        size = at;
    }

    /** Short escapes where JSON has one, else lowercase u00xx escapes (spec: canonical JSON grammar). */
    private static int escape(char c, byte[] out, int at) {
        char shortForm = switch (c) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '\b' -> 'b';
            case '\t' -> 't';
            case '\n' -> 'n';
            case '\f' -> 'f';
            case '\r' -> 'r';
            default -> 0;
        };
        out[at++] = '\\';
        if (shortForm != 0) {
            out[at++] = (byte) shortForm;
        } else {
            out[at++] = 'u';
            out[at++] = '0';
            out[at++] = '0';
            out[at++] = HEX[c >> 4];
            out[at++] = HEX[c & 0xF];
        }
        return at;
    }

    private void ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buffer[size++] = (byte) s.charAt(i);
        }
    }

    private void raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, size, bytes.length);
        size += bytes.length;
    }

    private void put(int b) {
        ensure(1);
        buffer[size++] = (byte) b;
    }

    private void ensure(int extra) {
        if (size + extra > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + extra));
        }
    }
}
