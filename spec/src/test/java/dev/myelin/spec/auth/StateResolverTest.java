package dev.myelin.spec.auth;

import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static dev.myelin.spec.auth.RoomGraph.ALICE;
import static dev.myelin.spec.auth.RoomGraph.BOB;
import static dev.myelin.spec.auth.RoomGraph.EVELYN;
import static dev.myelin.spec.auth.RoomGraph.TOPIC;
import static dev.myelin.spec.auth.RoomGraph.ZARA;
import static org.assertj.core.api.Assertions.assertThat;

/** The {@link StateResolver} entry point across all versions, and differences between algorithms. */
class StateResolverTest {

    static Stream<RoomVersion> allVersions() {
        return CreateRulesTest.allVersions();
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void nothingToResolve(RoomVersion version) {
        var g = RoomGraph.standard(version);
        assertThat(g.resolve(List.of())).isEmpty();
        assertThat(g.resolve(List.of(g.stateAfter("START")))).isEqualTo(g.stateAfter("START"));
        assertThat(g.resolve(List.of(g.stateAfter("START"), g.stateAfter("START")))).isEqualTo(g.stateAfter("START"));
    }

    /** A key only one state has is conflicted from v2 on and re-authorized: Bob's topic fails. */
    @ParameterizedTest
    @MethodSource("allVersions")
    void keyMissingFromOneStateIsReauthorizedFromV2(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.topic("T1", BOB, "START"); // Bob has power 0; state_default is 50
        var resolved = g.resolve(List.of(g.stateAfter("T1"), g.stateAfter("START")));
        if (version.stateResolution() == RoomVersion.StateResolution.V1) {
            assertThat(resolved).containsEntry(TOPIC, g.id("T1"));
        } else {
            assertThat(resolved).doesNotContainKey(TOPIC);
        }
    }

    /** v1: the shallower membership goes in first; Evelyn's deeper join then fails against the ban. */
    @Test
    void v1MembershipConflictKeepsTheBan() {
        var g = RoomGraph.standard(RoomVersion.V1);
        g.member("EJ", EVELYN, EVELYN, "join", "START");
        g.member("EL", EVELYN, EVELYN, "leave", "EJ");
        g.member("EB", ALICE, EVELYN, "ban", "EJ");
        g.member("EJ2", EVELYN, EVELYN, "join", "EL");
        g.message("END", ZARA, "EB", "EJ2");

        assertThat(g.stateAfter("END")).containsEntry(new StateKey("m.room.member", EVELYN), g.id("EB"));
    }

    /** Every resolution returns a fresh map: changing it leaves the input states alone. */
    @Test
    void resultIsAFreshMap() {
        var g = RoomGraph.standard(RoomVersion.V12);
        g.topic("T1", ALICE, "START");
        var resolved = g.resolve(List.of(g.stateAfter("T1"), g.stateAfter("START")));
        resolved.put(TOPIC, "$x");
        assertThat(g.stateAfter("T1")).containsEntry(TOPIC, g.id("T1"));
    }
}
