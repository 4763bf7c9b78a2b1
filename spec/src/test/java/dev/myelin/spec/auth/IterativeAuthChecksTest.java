package dev.myelin.spec.auth;

import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.myelin.spec.auth.RoomGraph.ALICE;
import static dev.myelin.spec.auth.RoomGraph.BOB;
import static dev.myelin.spec.auth.RoomGraph.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;

/** rooms/v2 "Iterative auth checks": state first, the event's non-rejected auth events for the gaps. */
class IterativeAuthChecksTest {

    private static RoomGraph bobPromoted() {
        var g = RoomGraph.standard(RoomVersion.V12);
        g.powerLevels("PA", ALICE, Map.of(BOB, 50), "START");
        g.topic("TB", BOB, "PA");
        return g;
    }

    @Test
    void emptyStateFallsBackToTheEventsAuthEvents() {
        var g = bobPromoted();
        var state = new HashMap<StateKey, String>();
        new IterativeAuthChecks(RoomGraph.AUTHORIZER, g.lookup()).apply(List.of(g.pdu("TB")), state);
        assertThat(state).containsExactly(Map.entry(TOPIC, g.id("TB")));
    }

    @Test
    void rejectedAuthEventsAreNotUsed() {
        var g = bobPromoted();
        g.reject("PA");
        var state = new HashMap<StateKey, String>();
        new IterativeAuthChecks(RoomGraph.AUTHORIZER, g.lookup()).apply(List.of(g.pdu("TB")), state);
        assertThat(state).isEmpty();
    }

    @Test
    void stateOverridesTheEventsAuthEvents() {
        var g = bobPromoted();
        var state = new HashMap<>(g.stateAfter("START")); // power levels without Bob at 50
        new IterativeAuthChecks(RoomGraph.AUTHORIZER, g.lookup()).apply(List.of(g.pdu("TB")), state);
        assertThat(state).doesNotContainKey(TOPIC);
    }

    /** Bob may set the topic (state_default 0) until the ban applied before it removes him. */
    @Test
    void laterEventsSeeEarlierAcceptedOnes() {
        var g = RoomGraph.standard(RoomVersion.V11);
        g.state("PL", ALICE, "m.room.power_levels", "", Json.obj("users", Map.of(ALICE, 100), "state_default", 0), "START");
        g.member("BAN", ALICE, BOB, "ban", "PL");
        g.topic("TB", BOB, "PL");
        var checks = new IterativeAuthChecks(RoomGraph.AUTHORIZER, g.lookup());

        var topicOnly = new HashMap<>(g.stateAfter("PL"));
        checks.apply(List.of(g.pdu("TB")), topicOnly);
        assertThat(topicOnly).containsEntry(TOPIC, g.id("TB"));

        var banThenTopic = new HashMap<>(g.stateAfter("PL"));
        checks.apply(List.of(g.pdu("BAN"), g.pdu("TB")), banThenTopic);
        assertThat(banThenTopic).containsEntry(new StateKey("m.room.member", BOB), g.id("BAN")).doesNotContainKey(TOPIC);
    }
}
