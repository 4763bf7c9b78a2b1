package dev.myelin.spec.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.event.RoomVersion;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The content of an m.room.power_levels event as the auth rules read it (spec: m.room.power_levels
 * schema; rooms/v1 "stringy" and "floaty" power levels). Components hold the values as written, null
 * when absent or unreadable, so that rule "check if they were added, changed or removed" can compare
 * them; the {@code ...Level()} methods apply the spec defaults.
 */
public record PowerLevels(
        Long ban, Long kick, Long invite, Long redact,
        Long eventsDefault, Long stateDefault, Long usersDefault,
        Map<String, Long> events, Map<String, Long> notifications, Map<String, Long> users) {

    /** The room has no m.room.power_levels event: every default applies. */
    public static final PowerLevels NONE =
            new PowerLevels(null, null, null, null, null, null, null, Map.of(), Map.of(), Map.of());

    /** The integer-valued top-level keys, in the order the spec lists them. */
    static final String[] LEVEL_KEYS =
            {"users_default", "events_default", "state_default", "ban", "redact", "kick", "invite"};

    /** v1 "stringy" power levels: optional whitespace, sign and leading zeroes around base-10 digits. */
    private static final Pattern INTEGER_STRING = Pattern.compile("\\s*[+-]?[0-9]+\\s*");

    public long banLevel() { return ban != null ? ban : 50; }

    public long kickLevel() { return kick != null ? kick : 50; }

    public long inviteLevel() { return invite != null ? invite : 0; }

    public long redactLevel() { return redact != null ? redact : 50; }

    public long usersDefaultLevel() { return usersDefault != null ? usersDefault : 0; }

    /** The required power level of an event type (server-server-api "Definitions"). */
    public long requiredLevel(String eventType, boolean isState) {
        Long explicit = events.get(eventType);
        if (explicit != null) {
            return explicit;
        }
        if (isState) {
            return stateDefault != null ? stateDefault : 50;
        }
        return eventsDefault != null ? eventsDefault : 0;
    }

    /** The level of a user from this event alone (creators are handled by {@link AuthState}). */
    public long userLevel(String userId) {
        Long level = users.get(userId);
        return level != null ? level : usersDefaultLevel();
    }

    /** The value of a top-level level key as written, by its JSON name. */
    Long level(String key) {
        return switch (key) {
            case "users_default" -> usersDefault;
            case "events_default" -> eventsDefault;
            case "state_default" -> stateDefault;
            case "ban" -> ban;
            case "redact" -> redact;
            case "kick" -> kick;
            case "invite" -> invite;
            default -> throw new IllegalArgumentException(key);
        };
    }

    /** Reads the content leniently: unreadable values count as absent. */
    public static PowerLevels parse(ObjectNode content, RoomVersion version) {
        boolean integersOnly = version.authorization().integerPowerLevels();
        return new PowerLevels(
                toLevel(content.get("ban"), integersOnly),
                toLevel(content.get("kick"), integersOnly),
                toLevel(content.get("invite"), integersOnly),
                toLevel(content.get("redact"), integersOnly),
                toLevel(content.get("events_default"), integersOnly),
                toLevel(content.get("state_default"), integersOnly),
                toLevel(content.get("users_default"), integersOnly),
                toLevels(content.get("events"), integersOnly),
                toLevels(content.get("notifications"), integersOnly),
                toLevels(content.get("users"), integersOnly));
    }

    /**
     * Whether the content passes the shape rules for a new m.room.power_levels event: v10+ "present
     * and not an integer" for every key, before v10 only "users" (integers or integer strings).
     */
    public static boolean isValid(ObjectNode content, RoomVersion version) {
        boolean integersOnly = version.authorization().integerPowerLevels();
        if (integersOnly) {
            for (String key : LEVEL_KEYS) {
                JsonNode value = content.get(key);
                if (value != null && toLevel(value, true) == null) {
                    return false;
                }
            }
            for (String key : new String[] {"events", "notifications"}) {
                JsonNode map = content.get(key);
                if (map != null && !allLevels(map, true)) {
                    return false;
                }
            }
        }
        JsonNode users = content.get("users");
        if (users == null) {
            return true;
        }
        if (!allLevels(users, integersOnly)) {
            return false;
        }
        for (var names = users.fieldNames(); names.hasNext(); ) {
            if (!UserIds.isValid(names.next())) {
                return false;
            }
        }
        return true;
    }

    private static boolean allLevels(JsonNode map, boolean integersOnly) {
        if (!map.isObject()) {
            return false;
        }
        for (JsonNode value : map) {
            if (toLevel(value, integersOnly) == null) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Long> toLevels(JsonNode map, boolean integersOnly) {
        if (map == null || !map.isObject() || map.isEmpty()) {
            return Map.of();
        }
        var levels = new HashMap<String, Long>(map.size() * 2);
        for (var fields = map.properties().iterator(); fields.hasNext(); ) {
            var field = fields.next();
            Long level = toLevel(field.getValue(), integersOnly);
            if (level != null) {
                levels.put(field.getKey(), level);
            }
        }
        return levels;
    }

    private static Long toLevel(JsonNode value, boolean integersOnly) {
        if (value == null) {
            return null;
        }
        if (value.isIntegralNumber()) {
            return value.canConvertToLong() ? value.longValue() : null;
        }
        if (integersOnly) {
            return null;
        }
        if (value.isTextual() && INTEGER_STRING.matcher(value.asText()).matches()) {
            String digits = value.asText().strip();
            try {
                return Long.parseLong(digits.startsWith("+") ? digits.substring(1) : digits);
            } catch (NumberFormatException tooLarge) {
                return null;
            }
        }
        if (value.isFloatingPointNumber() && Double.isFinite(value.doubleValue())) {
            // rooms/v1 "floaty" power levels: truncate at the decimal point.
            BigDecimal truncated = value.decimalValue().setScale(0, RoundingMode.DOWN);
            return truncated.toBigInteger().bitLength() < 64 ? truncated.longValue() : null;
        }
        return null;
    }
}
