package dev.myelin.spec.auth;

import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Parsing m.room.power_levels content and the spec defaults. */
class PowerLevelsTest {

    @Test
    void defaultsApplyWhenKeysAreAbsent() {
        var levels = PowerLevels.parse(Json.obj(), RoomVersion.V11);
        assertThat(levels.banLevel()).isEqualTo(50);
        assertThat(levels.kickLevel()).isEqualTo(50);
        assertThat(levels.redactLevel()).isEqualTo(50);
        assertThat(levels.inviteLevel()).isZero();
        assertThat(levels.usersDefaultLevel()).isZero();
        assertThat(levels.requiredLevel("m.room.topic", true)).isEqualTo(50);
        assertThat(levels.requiredLevel("m.room.message", false)).isZero();
        assertThat(PowerLevels.NONE.requiredLevel("m.room.name", true)).isEqualTo(50);
    }

    @Test
    void eventsOverrideDefaults() {
        var levels = PowerLevels.parse(Json.obj("events", Map.of("m.room.message", 10), "state_default", 20,
                "events_default", 5), RoomVersion.V11);
        assertThat(levels.requiredLevel("m.room.message", false)).isEqualTo(10);
        assertThat(levels.requiredLevel("m.room.name", true)).isEqualTo(20);
        assertThat(levels.requiredLevel("m.custom", false)).isEqualTo(5);
    }

    @Test
    void stringsAndFloatsAreReadBeforeV10() {
        var levels = PowerLevels.parse(Json.obj("ban", " -007 ", "kick", "+20", "redact", 51146.98,
                "users", Map.of("@a:x", "100")), RoomVersion.V5);
        assertThat(levels.banLevel()).isEqualTo(-7);
        assertThat(levels.kickLevel()).isEqualTo(20);
        assertThat(levels.redactLevel()).isEqualTo(51146);
        assertThat(levels.userLevel("@a:x")).isEqualTo(100);
    }

    @Test
    void stringsAreIgnoredFromV10() {
        var levels = PowerLevels.parse(Json.obj("ban", "10", "users", Map.of("@a:x", "100")), RoomVersion.V10);
        assertThat(levels.banLevel()).isEqualTo(50);
        assertThat(levels.userLevel("@a:x")).isZero();
        assertThat(PowerLevels.isValid(Json.obj("ban", "10"), RoomVersion.V10)).isFalse();
        assertThat(PowerLevels.isValid(Json.obj("ban", "10"), RoomVersion.V9)).isTrue();
    }

    @Test
    void malformedStringsAreNotLevels() {
        assertThat(PowerLevels.isValid(Json.obj("users", Map.of("@a:x", "1.5")), RoomVersion.V1)).isFalse();
        assertThat(PowerLevels.isValid(Json.obj("users", Map.of("@a:x", "1e3")), RoomVersion.V1)).isFalse();
        assertThat(PowerLevels.isValid(Json.obj("users", Map.of("@a:x", "99999999999999999999")), RoomVersion.V1))
                .isFalse();
    }

    @Test
    void usersDefaultAppliesToUnlistedUsers() {
        var levels = PowerLevels.parse(Json.obj("users_default", 7, "users", Map.of("@a:x", 1)), RoomVersion.V12);
        assertThat(levels.userLevel("@a:x")).isEqualTo(1);
        assertThat(levels.userLevel("@b:x")).isEqualTo(7);
    }
}
