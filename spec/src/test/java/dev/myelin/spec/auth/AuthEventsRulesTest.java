package dev.myelin.spec.auth;

import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.Map;

import static dev.myelin.spec.auth.AuthAssertions.assertAllowed;
import static dev.myelin.spec.auth.AuthAssertions.assertRejected;
import static dev.myelin.spec.auth.RoomGraph.ALICE;
import static dev.myelin.spec.auth.RoomGraph.ZARA;

/** v12 rules 2-3 (v1-11 rule 2): the event's auth_events list. */
class AuthEventsRulesTest {

    static Stream<RoomVersion> allVersions() {
        return CreateRulesTest.allVersions();
    }

    private static List<String> authEvents(RoomGraph g, String node) {
        return new ArrayList<>(g.pdu(node).authEvents());
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void eventCitingItsSelectedAuthEventsIsAllowed(RoomVersion version) {
        var g = RoomGraph.standard(version);
        assertAllowed(g, g.message("M", ZARA, "START"));
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void duplicateTypeAndStateKeyIsRejected(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.powerLevels("PA", ALICE, Map.of(ALICE, 100), "START");
        g.message("M", ZARA, "PA");
        var ids = authEvents(g, "M");
        ids.add(g.id("IPOWER"));
        var duplicate = g.edit("M", "M2", json -> json.set("auth_events", Json.MAPPER.valueToTree(ids)));
        assertRejected(g, duplicate, AuthRule.AUTH_EVENTS_DUPLICATE);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void unselectedAuthEventIsRejected(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.message("M", ZARA, "START");
        var ids = authEvents(g, "M");
        ids.add(g.id("IJR")); // messages do not cite the join rules
        var extra = g.edit("M", "M2", json -> json.set("auth_events", Json.MAPPER.valueToTree(ids)));
        assertRejected(g, extra, AuthRule.AUTH_EVENTS_NOT_SELECTED);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void rejectedAuthEventIsRejected(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.message("M", ZARA, "START");
        g.reject("IMZ");
        assertRejected(g, g.pdu("M"), AuthRule.AUTH_EVENT_REJECTED);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void unknownAuthEventIsRejected(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.message("M", ZARA, "START");
        var ids = authEvents(g, "M");
        ids.add("$unknown");
        var unknown = g.edit("M", "M2", json -> json.set("auth_events", Json.MAPPER.valueToTree(ids)));
        assertRejected(g, unknown, AuthRule.AUTH_EVENT_MISSING);
    }

    @Test
    void missingCreateIsRejectedBeforeV12() {
        var g = RoomGraph.standard(RoomVersion.V11);
        g.message("M", ZARA, "START");
        var ids = authEvents(g, "M");
        ids.remove(g.id("CREATE"));
        var noCreate = g.edit("M", "M2", json -> json.set("auth_events", Json.MAPPER.valueToTree(ids)));
        assertRejected(g, noCreate, AuthRule.AUTH_EVENTS_NO_CREATE);
    }

    @Test
    void citingTheCreateEventIsRejectedInV12() {
        var g = RoomGraph.standard(RoomVersion.V12);
        g.message("M", ZARA, "START");
        var ids = authEvents(g, "M");
        ids.add(g.id("CREATE"));
        var withCreate = g.edit("M", "M2", json -> json.set("auth_events", Json.MAPPER.valueToTree(ids)));
        assertRejected(g, withCreate, AuthRule.AUTH_EVENTS_NOT_SELECTED);
    }

    @Test
    void v12RoomIdMustNameAnAcceptedCreateEvent() {
        var g = RoomGraph.standard(RoomVersion.V12);
        g.message("M", ZARA, "START");
        var elsewhere = g.edit("M", "M2", json -> json.put("room_id", "!IMA"));
        assertRejected(g, elsewhere, AuthRule.ROOM_ID_NOT_CREATE_EVENT);
        g.reject("CREATE");
        assertRejected(g, g.pdu("M"), AuthRule.ROOM_ID_NOT_CREATE_EVENT);
    }

    @Test
    void authEventFromAnotherRoomIsRejected() {
        var g = RoomGraph.standard(RoomVersion.V11);
        g.message("M", ZARA, "START");
        g.edit("IMZ", "IMZ-ELSEWHERE", json -> json.put("room_id", "!other:example.com"));
        var ids = authEvents(g, "M");
        ids.replaceAll(id -> id.equals(g.id("IMZ")) ? g.id("IMZ-ELSEWHERE") : id);
        var mixed = g.edit("M", "M2", json -> json.set("auth_events", Json.MAPPER.valueToTree(ids)));
        assertRejected(g, mixed, AuthRule.AUTH_EVENT_OTHER_ROOM);
    }
}
