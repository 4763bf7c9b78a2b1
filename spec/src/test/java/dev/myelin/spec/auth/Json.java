package dev.myelin.spec.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Terse JSON objects for tests: {@code obj("membership", "join")}. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    /** An object from alternating keys and values; values may be objects, strings, numbers, lists. */
    static ObjectNode obj(Object... keysAndValues) {
        ObjectNode node = MAPPER.createObjectNode();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            node.set((String) keysAndValues[i], MAPPER.valueToTree(keysAndValues[i + 1]));
        }
        return node;
    }
}
