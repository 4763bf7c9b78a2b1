package dev.myelin.spec.auth;

import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.myelin.spec.auth.RoomGraph.ALICE;
import static dev.myelin.spec.auth.RoomGraph.BOB;
import static org.assertj.core.api.Assertions.assertThat;

/** rooms/v2 "Reverse topological power ordering" and "Mainline ordering". */
class OrderingTest {

    private static List<String> nodes(RoomGraph g, List<Pdu> events) {
        return events.stream().map(e -> g.node(e.eventId())).toList();
    }

    /** Auth events come first; among ready events the more powerful sender goes first. */
    @Test
    void powerOrderingPutsAuthEventsFirstThenPowerfulSenders() {
        var g = RoomGraph.standard(RoomVersion.V11);
        g.powerLevels("PA", ALICE, Map.of(ALICE, 100, BOB, 50), "START");
        g.powerLevels("PB", BOB, Map.of(ALICE, 100, BOB, 50), "PA");  // sent before MB, but Bob has 50
        g.member("MB", ALICE, BOB, "ban", "PA");

        var sorted = ReversePowerOrdering.sort(List.of(g.pdu("PB"), g.pdu("MB"), g.pdu("PA"), g.pdu("IPOWER")), g.lookup());

        assertThat(nodes(g, sorted)).containsExactly("IPOWER", "PA", "MB", "PB");
    }

    @Test
    void powerOrderingBreaksTiesByTimestampThenEventId() {
        var g = RoomGraph.standard(RoomVersion.V11);
        g.topic("T1", ALICE, "START");
        g.topic("T2", ALICE, "START");
        var sameTsAsT2Earlier = g.edit("T2", "T0", json -> json.put("origin_server_ts", g.pdu("T1").originServerTs()));

        var sorted = ReversePowerOrdering.sort(List.of(g.pdu("T2"), g.pdu("T1"), sameTsAsT2Earlier), g.lookup());

        assertThat(nodes(g, sorted)).containsExactly("T0", "T1", "T2");
    }

    @Test
    void v12CreatorsSortBeforeAnyPowerLevel() {
        var g = RoomGraph.standard(RoomVersion.V12);
        g.powerLevels("PA", ALICE, Map.of(BOB, 1_000_000), "START");
        g.topic("TB", BOB, "PA");
        g.topic("TA", ALICE, "PA");

        var sorted = ReversePowerOrdering.sort(List.of(g.pdu("TB"), g.pdu("TA")), g.lookup());

        assertThat(nodes(g, sorted)).containsExactly("TA", "TB");
    }

    /**
     * Mainline of PA2: [PA2, PA1, IPOWER]. T1 meets it at IPOWER (position 2), T2 at PA1 (1), T3 at
     * PA2 (0); M has no power levels in its chain at all (∞). Greater positions sort first.
     */
    @Test
    void mainlineOrderingSortsEarlierPowerLevelsFirst() {
        var g = RoomGraph.standard(RoomVersion.V11);
        g.topic("T1", ALICE, "START");
        g.powerLevels("PA1", ALICE, Map.of(ALICE, 100, BOB, 50), "T1");
        g.topic("T2", ALICE, "PA1");
        g.powerLevels("PA2", ALICE, Map.of(ALICE, 100, BOB, 0), "T2");
        g.topic("T3", ALICE, "PA2");
        var noPowerLevels = g.edit("T3", "M", json -> json.set("auth_events", Json.MAPPER.valueToTree(List.of(g.id("CREATE")))));

        var ordering = new MainlineOrdering(g.id("PA2"), g.lookup());
        var sorted = ordering.sort(List.of(g.pdu("T3"), g.pdu("T2"), noPowerLevels, g.pdu("T1")));

        assertThat(nodes(g, sorted)).containsExactly("M", "T1", "T2", "T3");
        assertThat(ordering.position(g.pdu("T2"))).isEqualTo(1);
        assertThat(ordering.position(g.pdu("PA2"))).isEqualTo(1); // PA2 itself is e0: its chain starts at PA1
    }

    @Test
    void mainlinePositionFollowsPowerLevelsChainsOffTheMainline() {
        var g = RoomGraph.standard(RoomVersion.V11);
        g.powerLevels("PA1", ALICE, Map.of(ALICE, 100, BOB, 50), "START");
        g.powerLevels("PB", BOB, Map.of(ALICE, 100, BOB, 50), "PA1");  // off the mainline, on PA1
        g.topic("TB", BOB, "PB");
        g.powerLevels("PA2", ALICE, Map.of(ALICE, 100, BOB, 0), "PA1");

        var ordering = new MainlineOrdering(g.id("PA2"), g.lookup());

        assertThat(ordering.position(g.pdu("TB"))).isEqualTo(1);
    }
}
