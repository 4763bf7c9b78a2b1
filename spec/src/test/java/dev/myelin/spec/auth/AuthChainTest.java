package dev.myelin.spec.auth;

import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.myelin.spec.auth.RoomGraph.ALICE;
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

        assertThat(AuthDifference.of(List.of(withT1, withT2), g.lookup())).containsExactly(g.id("IMZ"));
    }
}
