package dev.myelin.server.push;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A dot-separated property path such as {@code content.m\.relates_to.rel_type} (spec: appendices "Dot-separated
 * property paths"): {@code \.} is a literal dot and {@code \\} a literal backslash; any other backslash is literal.
 */
public record DottedPath(List<String> segments) {

    public static DottedPath parse(String key) {
        var segments = new ArrayList<String>();
        var current = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '\\' && i + 1 < key.length() && (key.charAt(i + 1) == '.' || key.charAt(i + 1) == '\\')) {
                current.append(key.charAt(++i));
            } else if (c == '.') {
                segments.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        segments.add(current.toString());
        return new DottedPath(List.copyOf(segments));
    }

    /** The value at this path, or null when a step is missing or not an object. */
    public JsonNode resolve(JsonNode root) {
        JsonNode node = root;
        for (String segment : segments) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(segment);
        }
        return node;
    }
}
