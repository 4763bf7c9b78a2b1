package dev.myelin.spec.auth;

import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.myelin.spec.auth.RoomGraph.ALICE;
import static dev.myelin.spec.auth.RoomGraph.BOB;
import static dev.myelin.spec.auth.RoomGraph.CHARLIE;
import static dev.myelin.spec.auth.RoomGraph.ZARA;
import static org.assertj.core.api.Assertions.assertThat;

/** rooms/v2 "Auth chain" and "Auth difference". */
class AuthChainTest {

    @Test
    void authChainFollowsAuthEventsRecursively() {
        var g = RoomGraph.standard(RoomVersion.V11);
        var chain = AuthChain.of(g.id("IMZ"), g.lookup());
        // Zara's join cites create, power levels, join rules; those cite Alice's join and create.
        assertThat(chain).containsExactlyInAnyOrder(g.id("CREATE"), g.id("IPOWER"), g.id("IJR"), g.id("IMA"));
    }

    @Test
    void createEventHasAnEmptyAuthChain() {
        var g = RoomGraph.standard(RoomVersion.V11);
        assertThat(AuthChain.of(g.id("CREATE"), g.lookup())).isEmpty();
    }

    @Test
    void authDifferenceIsWhatNotEveryChainHolds() {
        var g = RoomGraph.standard(RoomVersion.V11);
        g.topic("T1", ALICE, "START");
        g.member("ZL", ZARA, ZARA, "leave", "START");
        g.topic("T2", ALICE, "ZL");
        // Zara's leave ZL cites her join IMZ; nothing in the state after T1 cites IMZ (it is in that
        // state, but not in the auth chain of any of its events), so IMZ alone is in one chain only.
        var withT1 = g.stateAfter("T1");
        var withT2 = g.stateAfter("T2");

        assertThat(AuthDifference.of(List.of(withT1, withT2), ConflictSplit.of(List.of(withT1, withT2)).unconflicted(), g.lookup())).containsExactly(g.id("IMZ"));
    }

    /** The shortcut through the unconflicted state's chain agrees with ∪C_i − ∩C_i computed in full. */
    @Test
    void authDifferenceMatchesTheDefinition() {
        var g = RoomGraph.standard(RoomVersion.V12);
        g.powerLevels("PA", ALICE, Map.of(BOB, 50), "START");
        g.member("MB", ALICE, BOB, "ban", "PA");
        g.powerLevels("PB", BOB, Map.of(BOB, 50, CHARLIE, 50), "PA");
        g.topic("TC", CHARLIE, "PB");
        g.member("ZL", ZARA, ZARA, "leave", "START");
        var sets = List.of(g.stateAfter("MB"), g.stateAfter("TC"), g.stateAfter("ZL"));

        var union = new HashSet<String>();
        Set<String> intersection = null;
        for (var set : sets) {
            var chain = AuthChain.of(new HashSet<>(set.values()), g.lookup());
            union.addAll(chain);
            if (intersection == null) {
                intersection = new HashSet<>(chain);
            } else {
                intersection.retainAll(chain);
            }
        }
        union.removeAll(intersection);

        assertThat(AuthDifference.of(sets, ConflictSplit.of(sets).unconflicted(), g.lookup()))
                .isNotEmpty()
                .isEqualTo(union);
    }
}
