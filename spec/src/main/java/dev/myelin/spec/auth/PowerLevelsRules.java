package dev.myelin.spec.auth;

import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;

import java.util.HashSet;
import java.util.Map;
import java.util.Objects;

/** Rule 10 (v1-5: rule 10, v6-11: rule 9): m.room.power_levels changes. */
final class PowerLevelsRules {
    private PowerLevelsRules() {}

    static void check(Pdu event, AuthState state, long senderPower) throws AuthorizationException {
        RoomVersion version = event.roomVersion();
        if (!PowerLevels.isValid(event.content(), version)) {
            throw new AuthorizationException(AuthRule.POWER_LEVELS_INVALID, null);
        }
        PowerLevels next = PowerLevels.parse(event.content(), version);
        if (version.authorization().privilegedCreators()) {
            for (String creator : state.creators()) {
                if (next.users().containsKey(creator)) {
                    throw new AuthorizationException(AuthRule.POWER_LEVELS_LISTS_CREATOR, creator);
                }
            }
        }
        if (!state.hasPowerLevels()) {
            return;
        }
        PowerLevels current = state.powerLevels();
        for (String key : PowerLevels.LEVEL_KEYS) {
            Long before = current.level(key);
            Long after = next.level(key);
            if (!Objects.equals(before, after)
                    && ((before != null && before > senderPower) || (after != null && after > senderPower))) {
                throw new AuthorizationException(AuthRule.POWER_LEVELS_CHANGE_ABOVE_SENDER, key);
            }
        }
        checkLevelMap(current.events(), next.events(), senderPower);
        if (version.authorization().notificationsPowerLevels()) {
            checkLevelMap(current.notifications(), next.notifications(), senderPower);
        }
        String sender = event.sender();
        var users = new HashSet<>(current.users().keySet());
        users.addAll(next.users().keySet());
        for (String user : users) {
            Long before = current.users().get(user);
            Long after = next.users().get(user);
            if (Objects.equals(before, after)) {
                continue;
            }
            if (before != null && !user.equals(sender) && before >= senderPower) {
                throw new AuthorizationException(AuthRule.POWER_LEVELS_CHANGE_PEER, user);
            }
            if (after != null && after > senderPower) {
                throw new AuthorizationException(AuthRule.POWER_LEVELS_CHANGE_ABOVE_SENDER, user);
            }
        }
    }

    /** Rules 10.7 and 10.8: entries of "events" or "notifications" changed, added or removed. */
    private static void checkLevelMap(Map<String, Long> current, Map<String, Long> next, long senderPower)
            throws AuthorizationException {
        var keys = new HashSet<>(current.keySet());
        keys.addAll(next.keySet());
        for (String key : keys) {
            Long before = current.get(key);
            Long after = next.get(key);
            if (!Objects.equals(before, after)
                    && ((before != null && before > senderPower) || (after != null && after > senderPower))) {
                throw new AuthorizationException(AuthRule.POWER_LEVELS_CHANGE_ABOVE_SENDER, key);
            }
        }
    }
}
