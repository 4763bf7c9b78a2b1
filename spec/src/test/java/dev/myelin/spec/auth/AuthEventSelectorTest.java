package dev.myelin.spec.auth;

import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** server-server-api "Auth events selection". */
class AuthEventSelectorTest {
    private static final StateKey CREATE = new StateKey("m.room.create", "");
    private static final StateKey POWER = new StateKey("m.room.power_levels", "");
    private static final StateKey JOIN_RULES = new StateKey("m.room.join_rules", "");

    private static StateKey member(String user) {
        return new StateKey("m.room.member", user);
    }

    @Test
    void createEventHasNoAuthEvents() {
        assertThat(AuthEventSelector.select(RoomVersion.V11, "m.room.create", "", "@a:x", Json.obj())).isEmpty();
    }

    @Test
    void messageCitesCreatePowerLevelsAndSender() {
        assertThat(AuthEventSelector.select(RoomVersion.V11, "m.room.message", null, "@a:x", Json.obj()))
                .containsExactly(CREATE, POWER, member("@a:x"));
    }

    @Test
    void v12OmitsTheCreateEvent() {
        assertThat(AuthEventSelector.select(RoomVersion.V12, "m.room.message", null, "@a:x", Json.obj()))
                .containsExactly(POWER, member("@a:x"));
    }

    @Test
    void joinCitesTargetAndJoinRules() {
        assertThat(AuthEventSelector.select(RoomVersion.V11, "m.room.member", "@b:x", "@a:x",
                Json.obj("membership", "join")))
                .containsExactly(CREATE, POWER, member("@a:x"), member("@b:x"), JOIN_RULES);
    }

    @Test
    void leaveAndBanDoNotCiteJoinRules() {
        for (String membership : new String[] {"leave", "ban"}) {
            assertThat(AuthEventSelector.select(RoomVersion.V11, "m.room.member", "@b:x", "@a:x",
                    Json.obj("membership", membership)))
                    .containsExactly(CREATE, POWER, member("@a:x"), member("@b:x"));
        }
    }

    @Test
    void selfJoinCitesSenderOnce() {
        assertThat(AuthEventSelector.select(RoomVersion.V11, "m.room.member", "@a:x", "@a:x",
                Json.obj("membership", "knock")))
                .containsExactly(CREATE, POWER, member("@a:x"), JOIN_RULES);
    }

    @Test
    void thirdPartyInviteCitesTheTokenEvent() {
        var content = Json.obj("membership", "invite", "third_party_invite", Json.obj("signed", Map.of("token", "t")));
        assertThat(AuthEventSelector.select(RoomVersion.V11, "m.room.member", "@b:x", "@a:x", content))
                .containsExactly(CREATE, POWER, member("@a:x"), member("@b:x"), JOIN_RULES,
                        new StateKey("m.room.third_party_invite", "t"));
    }

    @Test
    void restrictedJoinCitesTheAuthoriserFromV8() {
        var content = Json.obj("membership", "join", "join_authorised_via_users_server", "@c:x");
        assertThat(AuthEventSelector.select(RoomVersion.V8, "m.room.member", "@b:x", "@b:x", content))
                .containsExactly(CREATE, POWER, member("@b:x"), JOIN_RULES, member("@c:x"));
        assertThat(AuthEventSelector.select(RoomVersion.V7, "m.room.member", "@b:x", "@b:x", content))
                .containsExactly(CREATE, POWER, member("@b:x"), JOIN_RULES);
    }
}
