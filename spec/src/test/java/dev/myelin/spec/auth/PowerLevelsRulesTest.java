package dev.myelin.spec.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;
import java.util.List;

import static dev.myelin.spec.auth.AuthAssertions.assertAllowed;
import static dev.myelin.spec.auth.AuthAssertions.assertRejected;
import static dev.myelin.spec.auth.MembershipRulesTest.v;
import static dev.myelin.spec.auth.RoomGraph.ALICE;
import static dev.myelin.spec.auth.RoomGraph.BOB;
import static dev.myelin.spec.auth.RoomGraph.CHARLIE;

/** Rule 10: m.room.power_levels. Alice is 100 (a v12 creator), Bob 50, Charlie 50 before each change. */
class PowerLevelsRulesTest {

    static Stream<RoomVersion> allVersions() {
        return CreateRulesTest.allVersions();
    }

    private static RoomGraph room(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.powerLevels("PL", ALICE, Map.of(ALICE, 100, BOB, 50, CHARLIE, 50), "START");
        return g;
    }

    private static ObjectNode levels(RoomGraph g, Map<String, Integer> users, Object... more) {
        ObjectNode content = Json.obj(more);
        content.set("users", Json.MAPPER.valueToTree(g.creatorsOmitted(users)));
        return content;
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void senderMayRaiseOthersUpToOwnLevel(RoomVersion version) {
        var g = room(version);
        assertAllowed(g, g.state("P", BOB, "m.room.power_levels", "",
                levels(g, Map.of(ALICE, 100, BOB, 50, CHARLIE, 50, RoomGraph.ZARA, 50)), "PL"));
        assertRejected(g, g.state("P2", BOB, "m.room.power_levels", "",
                levels(g, Map.of(ALICE, 100, BOB, 50, CHARLIE, 50, RoomGraph.ZARA, 51)), "PL"),
                AuthRule.POWER_LEVELS_CHANGE_ABOVE_SENDER);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void peersCannotChangeEachOtherButMayLowerThemselves(RoomVersion version) {
        var g = room(version);
        assertRejected(g, g.state("P1", BOB, "m.room.power_levels", "",
                levels(g, Map.of(ALICE, 100, BOB, 50, CHARLIE, 0)), "PL"), AuthRule.POWER_LEVELS_CHANGE_PEER);
        assertAllowed(g, g.state("P2", BOB, "m.room.power_levels", "",
                levels(g, Map.of(ALICE, 100, BOB, 10, CHARLIE, 50)), "PL"));
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void levelKeysAboveSenderCannotChange(RoomVersion version) {
        var g = room(version);
        assertRejected(g, g.state("P1", BOB, "m.room.power_levels", "",
                levels(g, Map.of(ALICE, 100, BOB, 50, CHARLIE, 50), "ban", 60), "PL"),
                AuthRule.POWER_LEVELS_CHANGE_ABOVE_SENDER);
        assertAllowed(g, g.state("P2", BOB, "m.room.power_levels", "",
                levels(g, Map.of(ALICE, 100, BOB, 50, CHARLIE, 50), "ban", 40), "PL"));
        assertRejected(g, g.state("P3", BOB, "m.room.power_levels", "",
                levels(g, Map.of(ALICE, 100, BOB, 50, CHARLIE, 50), "events", Map.of("m.room.name", 70)), "PL"),
                AuthRule.POWER_LEVELS_CHANGE_ABOVE_SENDER);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void notificationsAreCheckedFromV6(RoomVersion version) {
        var g = room(version);
        var change = g.state("P", BOB, "m.room.power_levels", "",
                levels(g, Map.of(ALICE, 100, BOB, 50, CHARLIE, 50), "notifications", Map.of("room", 80)), "PL");
        if (version.authorization().notificationsPowerLevels()) {
            assertRejected(g, change, AuthRule.POWER_LEVELS_CHANGE_ABOVE_SENDER);
        } else {
            assertAllowed(g, change);
        }
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void stringLevelsAreAcceptedBeforeV10(RoomVersion version) {
        var g = room(version);
        var stringy = g.state("P", ALICE, "m.room.power_levels", "",
                Json.obj("users", g.creatorsOmitted(Map.of(ALICE, 100, BOB, 50, CHARLIE, 50)), "ban", " +50 "), "PL");
        if (version.authorization().integerPowerLevels()) {
            assertRejected(g, stringy, AuthRule.POWER_LEVELS_INVALID);
        } else {
            assertAllowed(g, stringy);
        }
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void stringUserLevelsAreAcceptedBeforeV10(RoomVersion version) {
        var g = room(version);
        var stringy = g.state("P", ALICE, "m.room.power_levels", "",
                Json.obj("users", Map.of(BOB, "50", CHARLIE, "0050")), "PL");
        if (version.authorization().integerPowerLevels()) {
            assertRejected(g, stringy, AuthRule.POWER_LEVELS_INVALID);
        } else {
            assertAllowed(g, stringy);
        }
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void userLevelsMustBeIntegersAndKeysUserIds(RoomVersion version) {
        var g = room(version);
        assertRejected(g, g.state("P1", ALICE, "m.room.power_levels", "",
                Json.obj("users", Map.of(BOB, "fifty")), "PL"), AuthRule.POWER_LEVELS_INVALID);
        assertRejected(g, g.state("P2", ALICE, "m.room.power_levels", "",
                Json.obj("users", Map.of("bob", 50)), "PL"), AuthRule.POWER_LEVELS_INVALID);
        assertRejected(g, g.state("P3", ALICE, "m.room.power_levels", "",
                Json.obj("users", "everyone"), "PL"), AuthRule.POWER_LEVELS_INVALID);
    }

    @Test
    void v10RejectsNonIntegerEventsAndNotifications() {
        var g = room(v(10));
        assertRejected(g, g.state("P1", ALICE, "m.room.power_levels", "",
                levels(g, Map.of(ALICE, 100), "events", Map.of("m.room.name", "50")), "PL"), AuthRule.POWER_LEVELS_INVALID);
        assertRejected(g, g.state("P2", ALICE, "m.room.power_levels", "",
                levels(g, Map.of(ALICE, 100), "notifications", 50), "PL"), AuthRule.POWER_LEVELS_INVALID);
    }

    @Test
    void v12CreatorsMayNotBeListed() {
        var g = room(v(12));
        assertRejected(g, g.state("P", ALICE, "m.room.power_levels", "",
                Json.obj("users", Map.of(ALICE, 100)), "PL"), AuthRule.POWER_LEVELS_LISTS_CREATOR);
    }

    @Test
    void v12AdditionalCreatorsMayNotBeListed() {
        var g = new RoomGraph(v(12));
        g.create("CREATE", ALICE, Json.obj("additional_creators", List.of(BOB)));
        g.member("IMA", ALICE, ALICE, "join", "CREATE");
        assertRejected(g, g.state("P", ALICE, "m.room.power_levels", "",
                Json.obj("users", Map.of(BOB, 50)), "IMA"), AuthRule.POWER_LEVELS_LISTS_CREATOR);
    }

    /** Before v12 an admin cannot demote a peer admin; a v12 creator can. */
    @ParameterizedTest
    @MethodSource("allVersions")
    void creatorDemotesAdmin(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.powerLevels("PL", ALICE, Map.of(ALICE, 100, BOB, 100), "START");
        var demotion = g.state("P", ALICE, "m.room.power_levels", "", levels(g, Map.of(ALICE, 100, BOB, 0)), "PL");
        if (version.authorization().privilegedCreators()) {
            assertAllowed(g, demotion);
        } else {
            assertRejected(g, demotion, AuthRule.POWER_LEVELS_CHANGE_PEER);
        }
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void firstPowerLevelsEventIsOnlyShapeChecked(RoomVersion version) {
        var g = new RoomGraph(version);
        g.create("CREATE", ALICE);
        g.member("IMA", ALICE, ALICE, "join", "CREATE");
        assertAllowed(g, g.state("P", ALICE, "m.room.power_levels", "",
                levels(g, Map.of(ALICE, 100, BOB, 1000), "ban", 5000), "IMA"));
    }
}
