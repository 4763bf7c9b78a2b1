package dev.myelin.spec.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigInteger;

/**
 * Parses JSON received from the network into a Jackson tree.
 *
 * <p>{@link #STRICT} enforces what canonical JSON can hold (spec: appendices "Canonical JSON";
 * rooms v6+ "Canonical JSON"): integers only, within ±(2^53-1), no duplicate keys. {@link #LENIENT}
 * is for room versions 1-5, which servers must not enforce it on: it keeps any integer or float and
 * lets the last of duplicate keys win. Both insist on well-formed UTF-8, one JSON value with
 * nothing after it, no NaN or Infinity, and strings free of lone surrogates.
 */
public final class MatrixJsonParser {
    public static final MatrixJsonParser STRICT = new MatrixJsonParser(true);
    public static final MatrixJsonParser LENIENT = new MatrixJsonParser(false);

    /** Keys from the network are not interned into the JVM string pool. */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final BigInteger MAX = BigInteger.valueOf(CanonicalJson.MAX_SAFE_INTEGER);

    private final boolean strict;

    private MatrixJsonParser(boolean strict) {
        this.strict = strict;
    }

    /** @throws InvalidJsonException saying what is wrong and where */
    public JsonNode parse(byte[] bytes) {
        Utf8Validator.check(bytes);
        if (strict && bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
            throw new InvalidJsonException("byte order mark before JSON text");
        }
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            if (strict) {
                parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            }
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new InvalidJsonException("no JSON value");
            }
            JsonNode root = value(parser, first);
            if (parser.nextToken() != null) {
                throw new InvalidJsonException("trailing data after JSON value at " + parser.currentLocation());
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new InvalidJsonException(e.getOriginalMessage() + " at " + e.getLocation(), e);
        } catch (IOException e) {
            throw new InvalidJsonException("unreadable JSON: " + e.getMessage(), e);
        }
    }

    /** Parses a JSON object. @throws InvalidJsonException if malformed or not an object */
    public ObjectNode parseObject(byte[] bytes) {
        if (parse(bytes) instanceof ObjectNode object) {
            return object;
        }
        throw new InvalidJsonException("expected a JSON object");
    }

    public boolean isStrict() {
        return strict;
    }

    private JsonNode value(JsonParser parser, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> object(parser);
            case START_ARRAY -> array(parser);
            case VALUE_STRING -> NODES.textNode(checkedString(parser.getText(), parser));
            case VALUE_NUMBER_INT -> integer(parser);
            case VALUE_NUMBER_FLOAT -> floating(parser);
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new InvalidJsonException("unexpected " + token + " at " + parser.currentLocation());
        };
    }

    private ObjectNode object(JsonParser parser) throws IOException {
        ObjectNode object = NODES.objectNode();
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
            String key = checkedString(parser.currentName(), parser);
            object.set(key, value(parser, parser.nextToken()));
        }
        return object;
    }

    private ArrayNode array(JsonParser parser) throws IOException {
        ArrayNode array = NODES.arrayNode();
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            array.add(value(parser, token));
        }
        return array;
    }

    private JsonNode integer(JsonParser parser) throws IOException {
        switch (parser.getNumberType()) {
            case INT -> {
                return NODES.numberNode(parser.getIntValue());
            }
            case LONG -> {
                long value = parser.getLongValue();
                if (strict && Math.abs(value) > CanonicalJson.MAX_SAFE_INTEGER) {
                    throw outOfRange(parser);
                }
                return NODES.numberNode(value);
            }
            default -> {
                BigInteger value = parser.getBigIntegerValue();
                if (strict && value.abs().compareTo(MAX) > 0) {
                    throw outOfRange(parser);
                }
                return NODES.numberNode(value);
            }
        }
    }

    private JsonNode floating(JsonParser parser) throws IOException {
        if (strict) {
            throw new InvalidJsonException("float " + parser.getText() + " not allowed at " + parser.currentLocation());
        }
        double value = parser.getDoubleValue();
        if (!Double.isFinite(value)) {
            throw new InvalidJsonException("number " + parser.getText() + " is out of range at " + parser.currentLocation());
        }
        return NODES.numberNode(value);
    }

    private static InvalidJsonException outOfRange(JsonParser parser) throws IOException {
        return new InvalidJsonException("integer " + parser.getText() + " outside ±(2^53-1) at " + parser.currentLocation());
    }

    /** A JSON escape of a lone surrogate (backslash-u-d800) can smuggle in a lone surrogate, which UTF-8 cannot encode. */
    private static String checkedString(String s, JsonParser parser) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidJsonException("lone surrogate \\u" + Integer.toHexString(c) + " at " + parser.currentLocation());
            }
        }
        return s;
    }
}
