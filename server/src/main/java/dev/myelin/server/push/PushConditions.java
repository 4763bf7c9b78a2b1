package dev.myelin.server.push;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates one push condition against an event (spec: client-server-api "Conditions"). An unknown condition kind,
 * or a condition missing its parameters, never matches.
 */
public final class PushConditions {
    private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
    private static final Pattern MEMBER_COUNT = Pattern.compile("(==|<=|>=|<|>)?([0-9]{1,18})");
    private static final int MAX_CACHED_PATTERNS = 10_000;
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();
    private static final Map<String, DottedPath> PATHS = new ConcurrentHashMap<>();

    private PushConditions() {
    }

    public static boolean matches(JsonNode condition, JsonNode event, PushContext context) {
        return switch (condition.path("kind").asText("")) {
            case "event_match" -> eventMatch(condition, event);
            case "event_property_is" -> propertyIs(condition, event);
            case "event_property_contains" -> propertyContains(condition, event);
            case "contains_display_name" -> containsDisplayName(event, context);
            case "room_member_count" -> memberCount(condition.path("is").asText(null), context.memberCount());
            case "sender_notification_permission" -> senderPermission(condition, context);
            default -> false;
        };
    }

    private static boolean eventMatch(JsonNode condition, JsonNode event) {
        JsonNode key = condition.get("key");
        JsonNode pattern = condition.get("pattern");
        if (key == null || !key.isTextual() || pattern == null || !pattern.isTextual()) {
            return false;
        }
        JsonNode value = path(key.asText()).resolve(event);
        if (value == null || !value.isTextual()) {
            return false;
        }
        if ("content.body".equals(key.asText())) {
            return words(pattern.asText(), false).matcher(value.asText()).find();
        }
        return cached("w:" + pattern.asText(), () -> Glob.whole(pattern.asText())).matcher(value.asText()).matches();
    }

    private static boolean propertyIs(JsonNode condition, JsonNode event) {
        JsonNode key = condition.get("key");
        JsonNode expected = condition.get("value");
        if (key == null || !key.isTextual() || expected == null || !isScalar(expected)) {
            return false;
        }
        JsonNode value = path(key.asText()).resolve(event);
        return value != null && isScalar(value) && sameScalar(value, expected);
    }

    private static boolean propertyContains(JsonNode condition, JsonNode event) {
        JsonNode key = condition.get("key");
        JsonNode expected = condition.get("value");
        if (key == null || !key.isTextual() || expected == null || !isScalar(expected)) {
            return false;
        }
        JsonNode array = path(key.asText()).resolve(event);
        if (array == null || !array.isArray()) {
            return false;
        }
        for (JsonNode element : array) {
            if (isScalar(element) && sameScalar(element, expected)) {
                return true;
            }
        }
        return false;
    }

    /** Strings, integers within the canonical JSON range, booleans and null. */
    private static boolean isScalar(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() && Math.abs(node.asLong()) <= MAX_SAFE_INTEGER;
        }
        return node.isTextual() || node.isBoolean() || node.isNull();
    }

    private static boolean sameScalar(JsonNode a, JsonNode b) {
        if (a.isIntegralNumber() && b.isIntegralNumber()) {
            return a.asLong() == b.asLong();
        }
        if (a.isTextual() && b.isTextual()) {
            return a.asText().equals(b.asText());
        }
        if (a.isBoolean() && b.isBoolean()) {
            return a.asBoolean() == b.asBoolean();
        }
        return a.isNull() && b.isNull();
    }

    private static boolean containsDisplayName(JsonNode event, PushContext context) {
        String name = context.displayName();
        JsonNode body = event.path("content").get("body");
        if (name == null || name.isBlank() || body == null || !body.isTextual()) {
            return false;
        }
        return words(name, true).matcher(body.asText()).find();
    }

    /** {@code is}: a decimal count, optionally prefixed by ==, <, >, <= or >= (== when absent). */
    static boolean memberCount(String is, long count) {
        if (is == null) {
            return false;
        }
        Matcher matcher = MEMBER_COUNT.matcher(is);
        if (!matcher.matches()) {
            return false;
        }
        long n = Long.parseLong(matcher.group(2));
        String op = matcher.group(1) == null ? "==" : matcher.group(1);
        return switch (op) {
            case "<" -> count < n;
            case ">" -> count > n;
            case "<=" -> count <= n;
            case ">=" -> count >= n;
            default -> count == n;
        };
    }

    private static boolean senderPermission(JsonNode condition, PushContext context) {
        JsonNode key = condition.get("key");
        if (key == null || !key.isTextual()) {
            return false;
        }
        return context.senderPower() >= context.notificationLevel(key.asText());
    }

    private static DottedPath path(String key) {
        DottedPath path = PATHS.get(key);
        if (path == null) {
            if (PATHS.size() >= MAX_CACHED_PATTERNS) {
                PATHS.clear();
            }
            path = DottedPath.parse(key);
            PATHS.put(key, path);
        }
        return path;
    }

    private static Pattern words(String text, boolean literal) {
        String cacheKey = (literal ? "l:" : "g:") + text;
        return cached(cacheKey, () -> literal ? Glob.literalWords(text) : Glob.words(text));
    }

    private static Pattern cached(String key, java.util.function.Supplier<Pattern> compile) {
        Pattern pattern = PATTERNS.get(key);
        if (pattern == null) {
            if (PATTERNS.size() >= MAX_CACHED_PATTERNS) {
                PATTERNS.clear();
            }
            pattern = compile.get();
            PATTERNS.put(key, pattern);
        }
        return pattern;
    }
}
