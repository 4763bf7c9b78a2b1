package dev.myelin.spec.auth;

import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.myelin.spec.auth.RoomGraph.ALICE;
import static dev.myelin.spec.auth.RoomGraph.BOB;
import static dev.myelin.spec.auth.RoomGraph.CHARLIE;
import static dev.myelin.spec.auth.RoomGraph.EVELYN;
import static dev.myelin.spec.auth.RoomGraph.JOIN_RULES;
import static dev.myelin.spec.auth.RoomGraph.POWER_LEVELS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The state resets of MSC4297 "Problems": one state set is stale (as a partial /state response
 * may be), with an older event for a key than the auth chains of both sets agree on. Room version
 * 11 (v2) resets the key; room version 12 (v2.1) keeps the newest event.
 */
class StateResetTest {

    /**
     * Problem A: both sets agree Alice has left, one has the outdated join rules JR1. v2 replays JR1
     * and JR2 on the unconflicted state, where Alice is not joined, so both fail and the room has no
     * join rules. v2.1 replays them on an empty state, reading Alice's join from their auth events.
     */
    @Test
    void problemAJoinRulesFromBeforeTheSenderLeft() {
        assertThat(problemA(RoomVersion.V11)).doesNotContainKey(JOIN_RULES);
        assertThat(problemA(RoomVersion.V12)).containsEntry(JOIN_RULES, "$JR2");
    }

    private static Map<StateKey, String> problemA(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.state("JR1", ALICE, "m.room.join_rules", "", Json.obj("join_rule", "invite"), "START");
        g.state("JR2", ALICE, "m.room.join_rules", "", Json.obj("join_rule", "public"), "JR1");
        g.member("ME", EVELYN, EVELYN, "join", "JR2");
        g.member("AL", ALICE, ALICE, "leave", "ME");
        Map<StateKey, String> correct = g.stateAfter("AL");
        var stale = new HashMap<>(correct);
        stale.put(JOIN_RULES, g.id("JR1"));
        return g.resolve(List.of(correct, stale));
    }

    /**
     * Problem B: Alice promotes Bob (PL1), Bob promotes Charlie (PL2), Charlie sets the topic. The
     * stale set still has the initial power levels. Both auth chains hold PL1, so it is not in the
     * auth difference; v2 replays PL2 without it and rejects it. v2.1 adds the conflicted state
     * subgraph (PL2 → PL1 → IPOWER), replays PL1 first and keeps PL2.
     */
    @Test
    void problemBPromotionChain() {
        assertThat(problemB(RoomVersion.V11)).containsEntry(POWER_LEVELS, "$IPOWER:example.com");
        assertThat(problemB(RoomVersion.V12)).containsEntry(POWER_LEVELS, "$PL2");
    }

    private static Map<StateKey, String> problemB(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.powerLevels("PL1", ALICE, Map.of(ALICE, 100, BOB, 50), "START");
        g.powerLevels("PL2", BOB, Map.of(ALICE, 100, BOB, 50, CHARLIE, 50), "PL1");
        g.topic("T", CHARLIE, "PL2");
        Map<StateKey, String> correct = g.stateAfter("T");
        var stale = new HashMap<>(correct);
        stale.put(POWER_LEVELS, g.id("IPOWER"));
        return g.resolve(List.of(correct, stale));
    }

    /**
     * Evelyn renames herself (ME2) citing the old power levels P1 directly, though her earlier join
     * ME1 cites the newer P3. A stale set holds ME2 and P1; a sensible one holds P3 and Zara's join.
     * v2.1 replays the whole P1 → P2 → P3 subgraph, so P3 stands, and orders ME2 (P1 epoch) before
     * ME1 (P3 epoch), so Evelyn's membership ends at ME1.
     */
    @Test
    void renameCitingOldPowerLevelsDoesNotResetThem() {
        var g = new RoomGraph(RoomVersion.V12);
        g.create("CREATE", ALICE);
        g.member("MA", ALICE, ALICE, "join", "CREATE");
        g.powerLevels("P1", ALICE, Map.of(), "MA");
        g.state("JR", ALICE, "m.room.join_rules", "", Json.obj("join_rule", "public"), "P1");
        g.member("MB", BOB, BOB, "join", "JR");
        g.member("MC", CHARLIE, CHARLIE, "join", "MB");
        g.powerLevels("P2", ALICE, Map.of(BOB, 50), "MC");
        g.powerLevels("P3", BOB, Map.of(BOB, 50, CHARLIE, 50), "P2");
        g.member("ME1", EVELYN, EVELYN, "join", "P3");
        g.member("MZ", RoomGraph.ZARA, RoomGraph.ZARA, "join", "P3");
        g.member("ME2-DRAFT", EVELYN, EVELYN, "join", "ME1");
        g.edit("ME2-DRAFT", "ME2", json -> json.set("auth_events",
                Json.MAPPER.valueToTree(List.of(g.id("P1"), g.id("JR"), g.id("ME1")))));
        var dodgy = new HashMap<>(g.stateAfter("MC"));
        dodgy.put(new StateKey("m.room.member", EVELYN), g.id("ME2"));
        var sensible = new HashMap<>(g.stateAfter("MC"));
        sensible.put(new StateKey("m.room.member", RoomGraph.ZARA), g.id("MZ"));
        sensible.put(POWER_LEVELS, g.id("P3"));

        var expected = new HashMap<>(g.stateAfter("MC"));
        expected.put(new StateKey("m.room.member", EVELYN), g.id("ME1"));
        expected.put(new StateKey("m.room.member", RoomGraph.ZARA), g.id("MZ"));
        expected.put(POWER_LEVELS, g.id("P3"));
        assertThat(g.resolve(List.of(dodgy, sensible))).isEqualTo(expected);
    }

    /**
     * The conflicted state subgraph holds exactly the events on paths between conflicted events:
     * PL2 → PL1 → IPOWER, and PL2 → IMB (Bob's join) → IJR → IPOWER; not the create event or
     * Alice's join, which lead to no conflicted event.
     */
    @Test
    void conflictedSubgraphIsThePathsBetweenConflictedEvents() {
        var g = RoomGraph.standard(RoomVersion.V12);
        g.powerLevels("PL1", ALICE, Map.of(BOB, 50), "START");
        g.powerLevels("PL2", BOB, Map.of(BOB, 50, CHARLIE, 50), "PL1");

        var subgraph = ConflictedSubgraph.of(Set.of("$PL2", "$IPOWER"), g.lookup());

        assertThat(subgraph).containsExactlyInAnyOrder("$PL2", "$PL1", "$IMB", "$IJR", "$IPOWER");
    }

    /** Walks are iterative: a stale set 3,000 power levels events back resolves without overflow. */
    @Test
    void deepPowerLevelsChainResolves() {
        var g = RoomGraph.standard(RoomVersion.V12);
        String previous = "START";
        for (int i = 0; i < 3_000; i++) {
            g.powerLevels("P" + i, ALICE, Map.of(BOB, i % 100), previous);
            previous = "P" + i;
        }
        var correct = g.stateAfter(previous);
        var stale = new HashMap<>(correct);
        stale.put(POWER_LEVELS, g.id("IPOWER"));

        assertThat(g.resolve(List.of(correct, stale))).containsEntry(POWER_LEVELS, g.id(previous));
    }
}
