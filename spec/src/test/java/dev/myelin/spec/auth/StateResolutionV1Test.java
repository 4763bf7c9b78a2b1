package dev.myelin.spec.auth;

import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.myelin.spec.auth.RoomGraph.ALICE;
import static dev.myelin.spec.auth.RoomGraph.BOB;
import static dev.myelin.spec.auth.RoomGraph.CHARLIE;
import static dev.myelin.spec.auth.RoomGraph.POWER_LEVELS;
import static dev.myelin.spec.auth.RoomGraph.TOPIC;
import static dev.myelin.spec.auth.RoomGraph.ZARA;
import static org.assertj.core.api.Assertions.assertThat;

/** Room version 1 state resolution (rooms/v1): depth and sha1(event_id) decide, checked against R. */
class StateResolutionV1Test {

    @Test
    void deepestTopicWins() {
        var g = RoomGraph.standard(RoomVersion.V1);
        g.topic("T1", ALICE, "START");
        g.message("M", ZARA, "START");
        g.topic("T2", ALICE, "M");
        g.message("END", ZARA, "T1", "T2");

        assertThat(g.stateAfter("END")).containsEntry(TOPIC, g.id("T2"));
    }

    @Test
    void deeperTopicFailingAuthLosesToShallowerOne() {
        var g = RoomGraph.standard(RoomVersion.V1);
        g.topic("T1", ALICE, "START");
        g.message("M", ZARA, "START");
        g.topic("T2", BOB, "M"); // Bob has power 0 and state_default is 50
        g.message("END", ZARA, "T1", "T2");

        assertThat(g.stateAfter("END")).containsEntry(TOPIC, g.id("T1"));
    }

    @Test
    void equalDepthPicksLowestSha1() {
        var g = RoomGraph.standard(RoomVersion.V1);
        g.topic("TB", ALICE, "START");
        g.topic("TA", ALICE, "START"); // sha1("$TA:example.com") = 29b6… < sha1("$TB:example.com") = 52b0…
        g.message("END", ZARA, "TA", "TB");

        assertThat(g.stateAfter("END")).containsEntry(TOPIC, g.id("TA"));
    }

    /** The shallower PA goes in first; the deeper PB follows because Bob has power under PA. */
    @Test
    void powerLevelsAppliedInDepthOrderWhileAuthorised() {
        var g = RoomGraph.standard(RoomVersion.V1);
        g.powerLevels("PA", ALICE, Map.of(ALICE, 100, BOB, 50), "START");
        g.message("M1", ZARA, "START");
        g.powerLevels("PB", BOB, Map.of(ALICE, 100, BOB, 50, CHARLIE, 50), "M1");
        g.message("END", ZARA, "PA", "PB");

        assertThat(g.stateAfter("END")).containsEntry(POWER_LEVELS, g.id("PB"));
    }

    @Test
    void deeperPowerLevelsFromPowerlessSenderStopsAtShallowerOne() {
        var g = RoomGraph.standard(RoomVersion.V1);
        g.powerLevels("PA", ALICE, Map.of(ALICE, 100, BOB, 50), "START");
        g.message("M1", ZARA, "START");
        g.powerLevels("PC", CHARLIE, Map.of(ALICE, 100, CHARLIE, 100), "M1");
        g.message("END", ZARA, "PA", "PC");

        assertThat(g.stateAfter("END")).containsEntry(POWER_LEVELS, g.id("PA"));
    }

    /** A key only one state has is no conflict in v1 (unlike v2), so it is kept without checks. */
    @Test
    void keyInOneStateOnlyIsUnconflicted() {
        var g = RoomGraph.standard(RoomVersion.V1);
        g.topic("T1", BOB, "START"); // would fail auth: Bob has power 0
        g.message("M", ZARA, "START");
        g.message("END", ZARA, "T1", "M");

        assertThat(g.stateAfter("END")).containsEntry(TOPIC, g.id("T1"));
    }

    /**
     * Power levels are resolved before memberships: PA (giving Bob 50) is applied over IPOWER, and
     * Bob's kick of Zara from the other fork is then checked against PA, which allows it.
     */
    @Test
    void membershipsAreCheckedAgainstResolvedPowerLevels() {
        var g = RoomGraph.standard(RoomVersion.V1);
        g.powerLevels("PA", ALICE, Map.of(ALICE, 100, BOB, 50), "START");
        g.member("KICK", BOB, ZARA, "leave", "START");
        g.message("END", ALICE, "PA", "KICK");

        assertThat(g.stateAfter("END"))
                .containsEntry(POWER_LEVELS, g.id("PA"))
                .containsEntry(new StateKey("m.room.member", ZARA), g.id("KICK"));
    }
}
