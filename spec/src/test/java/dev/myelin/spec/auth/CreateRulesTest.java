package dev.myelin.spec.auth;

import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static dev.myelin.spec.auth.AuthAssertions.assertAllowed;
import static dev.myelin.spec.auth.AuthAssertions.assertRejected;
import static dev.myelin.spec.auth.RoomGraph.ALICE;
import static dev.myelin.spec.auth.RoomGraph.BOB;

/** Rule 1: m.room.create. */
class CreateRulesTest {

    static Stream<RoomVersion> allVersions() {
        return Stream.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
                .map(id -> RoomVersion.byId(id).orElseThrow());
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void wellFormedCreateIsAllowed(RoomVersion version) {
        var g = new RoomGraph(version);
        assertAllowed(g, g.create("CREATE", ALICE));
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void createWithPrevEventsIsRejected(RoomVersion version) {
        var g = new RoomGraph(version);
        g.create("CREATE", ALICE);
        var withPrev = g.edit("CREATE", "CREATE2", json -> json.set("prev_events", Json.MAPPER.valueToTree(List.of("$x"))));
        assertRejected(g, withPrev, AuthRule.CREATE_HAS_PREV_EVENTS);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void unknownRoomVersionIsRejected(RoomVersion version) {
        var g = new RoomGraph(version);
        var create = g.create("CREATE", ALICE, Json.obj("room_version", "99"));
        assertRejected(g, create, AuthRule.CREATE_UNKNOWN_ROOM_VERSION);
    }

    @Test
    void roomIdDomainMustMatchSenderBeforeV12() {
        var g = new RoomGraph(RoomVersion.V11);
        g.create("CREATE", ALICE);
        var elsewhere = g.edit("CREATE", "C2", json -> json.put("room_id", "!room:other.org"));
        assertRejected(g, elsewhere, AuthRule.CREATE_ROOM_ID_DOMAIN);
    }

    @Test
    void v12CreateMustNotHaveRoomId() {
        var g = new RoomGraph(RoomVersion.V12);
        g.create("CREATE", ALICE);
        var withRoomId = g.edit("CREATE", "C2", json -> json.put("room_id", "!CREATE"));
        assertRejected(g, withRoomId, AuthRule.CREATE_HAS_ROOM_ID);
    }

    @Test
    void creatorIsRequiredUpToV10() {
        var g = new RoomGraph(RoomVersion.V10);
        g.create("CREATE", ALICE);
        var noCreator = g.edit("CREATE", "C2", json -> json.withObject("content").remove("creator"));
        assertRejected(g, noCreator, AuthRule.CREATE_NO_CREATOR);
    }

    @Test
    void creatorIsNotRequiredFromV11() {
        var g = new RoomGraph(RoomVersion.V11);
        assertAllowed(g, g.create("CREATE", ALICE));
    }

    @Test
    void v12AdditionalCreatorsMustBeUserIds() {
        var g = new RoomGraph(RoomVersion.V12);
        assertAllowed(g, g.create("C1", ALICE, Json.obj("additional_creators", List.of(BOB))));
        assertRejected(g, g.create("C2", ALICE, Json.obj("additional_creators", List.of("bob"))),
                AuthRule.CREATE_INVALID_ADDITIONAL_CREATORS);
        assertRejected(g, g.create("C3", ALICE, Json.obj("additional_creators", BOB)),
                AuthRule.CREATE_INVALID_ADDITIONAL_CREATORS);
        assertRejected(g, g.create("C4", ALICE, Json.obj("additional_creators", List.of(1))),
                AuthRule.CREATE_INVALID_ADDITIONAL_CREATORS);
    }

    @Test
    void additionalCreatorsAreIgnoredBeforeV12() {
        var g = new RoomGraph(RoomVersion.V11);
        assertAllowed(g, g.create("C1", ALICE, Json.obj("additional_creators", "not a list")));
    }
}
