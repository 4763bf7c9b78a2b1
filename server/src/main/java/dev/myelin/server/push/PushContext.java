package dev.myelin.server.push;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What push conditions need to know besides the event: whose rules run, and the room as it is when the event
 * arrives.
 *
 * @param userId             the user whose rules are evaluated
 * @param displayName        the user's display name in the room, null when none ({@code contains_display_name})
 * @param memberCount        joined members of the room ({@code room_member_count})
 * @param senderPower        the sender's power level ({@code sender_notification_permission})
 * @param notificationLevels the {@code notifications} object of the room's power levels, null when absent
 */
public record PushContext(String userId, String displayName, long memberCount, long senderPower,
                          JsonNode notificationLevels) {

    /** The power needed to trigger a notification of the given key; {@code room} defaults to 50 (power_levels). */
    public long notificationLevel(String key) {
        JsonNode level = notificationLevels == null ? null : notificationLevels.get(key);
        if (level != null && level.isIntegralNumber()) {
            return level.asLong();
        }
        if (level != null && level.isTextual()) {
            try {
                return Long.parseLong(level.asText().trim());
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
        }
        return 50;
    }
}
