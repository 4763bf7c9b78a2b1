package dev.myelin.spec.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Set;

/**
 * Encodes JSON as canonical JSON (spec: appendices "Canonical JSON"): UTF-8, no insignificant
 * whitespace, object keys sorted by code point, only {@code "}, {@code \} and control characters
 * escaped, numbers as plain integers.
 *
 * <p>{@link #STRICT} accepts only integers in [-(2^53)+1, 2^53-1] (floats with an integral value
 * in that range are written as integers, -0 as 0). {@link #LENIENT} is for room versions 1-5, whose
 * events may hold any integer or float; it writes them as the reference implementation does.
 */
public final class CanonicalJson {
    /** The largest integer canonical JSON allows, 2^53-1; the smallest is its negation. */
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    public static final CanonicalJson STRICT = new CanonicalJson(true);
    public static final CanonicalJson LENIENT = new CanonicalJson(false);

    private final boolean strict;

    private CanonicalJson(boolean strict) {
        this.strict = strict;
    }

    /** @throws InvalidJsonException if the value cannot be written as canonical JSON */
    public byte[] encode(JsonNode value) {
        return new CanonicalJsonWriter(strict).value(value).toByteArray();
    }

    /**
     * Encodes an object as if the given top-level keys were absent, without copying it: signing
     * and hashing leave out "signatures", "unsigned" and "hashes" this way.
     */
    public byte[] encodeWithout(ObjectNode object, Set<String> omittedKeys) {
        return new CanonicalJsonWriter(strict).object(object, omittedKeys).toByteArray();
    }

    public boolean isStrict() {
        return strict;
    }
}
