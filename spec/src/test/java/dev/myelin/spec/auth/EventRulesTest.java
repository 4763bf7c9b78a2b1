package dev.myelin.spec.auth;

import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;
import dev.myelin.spec.event.StateKey;

import static dev.myelin.spec.auth.AuthAssertions.assertAllowed;
import static dev.myelin.spec.auth.AuthAssertions.assertRejected;
import static dev.myelin.spec.auth.MembershipRulesTest.v;
import static dev.myelin.spec.auth.RoomGraph.ALICE;
import static dev.myelin.spec.auth.RoomGraph.BOB;
import static dev.myelin.spec.auth.RoomGraph.EVELYN;
import static dev.myelin.spec.auth.RoomGraph.ZARA;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rules for events other than create and member: federation, aliases, levels, redactions. */
class EventRulesTest {

    static Stream<RoomVersion> allVersions() {
        return CreateRulesTest.allVersions();
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void senderMustBeJoined(RoomVersion version) {
        var g = RoomGraph.standard(version);
        assertRejected(g, g.message("M", EVELYN, "START"), AuthRule.SENDER_NOT_JOINED);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void stateEventsNeedStateDefault(RoomVersion version) {
        var g = RoomGraph.standard(version);
        assertAllowed(g, g.topic("T1", ALICE, "START"));
        assertRejected(g, g.topic("T2", BOB, "START"), AuthRule.EVENT_POWER_LEVEL);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void messageNeedsEventsLevel(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.state("PL", ALICE, "m.room.power_levels", "", Json.obj("users", g.creatorsOmitted(Map.of(ALICE, 100)),
                "events", Map.of("m.room.message", 10)), "START");
        assertRejected(g, g.message("M", ZARA, "PL"), AuthRule.EVENT_POWER_LEVEL);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void stateKeyNamingAnotherUserIsRejected(RoomVersion version) {
        var g = RoomGraph.standard(version);
        assertRejected(g, g.state("S", ALICE, "m.custom", BOB, Json.obj(), "START"), AuthRule.STATE_KEY_IS_OTHER_USER);
        assertAllowed(g, g.state("S2", ALICE, "m.custom", ALICE, Json.obj(), "START"));
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void thirdPartyInviteEventNeedsInviteLevel(RoomVersion version) {
        var g = RoomGraph.standard(version);
        assertAllowed(g, g.state("T1", BOB, "m.room.third_party_invite", "tok", Json.obj(), "START"));
        g.state("PL", ALICE, "m.room.power_levels", "",
                Json.obj("users", g.creatorsOmitted(Map.of(ALICE, 100)), "invite", 50), "START");
        assertRejected(g, g.state("T2", BOB, "m.room.third_party_invite", "tok", Json.obj(), "PL"),
                AuthRule.THIRD_PARTY_INVITE_LEVEL);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void unfederatedRoomRejectsOtherServers(RoomVersion version) {
        var g = new RoomGraph(version);
        g.create("CREATE", ALICE, Json.obj("m.federate", false));
        g.member("IMA", ALICE, ALICE, "join", "CREATE");
        g.state("IJR", ALICE, "m.room.join_rules", "", Json.obj("join_rule", "public"), "IMA");
        assertRejected(g, g.member("J", "@olga:other.org", "@olga:other.org", "join", "IJR"), AuthRule.NOT_FEDERATED);
        assertAllowed(g, g.member("J2", BOB, BOB, "join", "IJR"));
    }

    /** v1-5: aliases are the sender's server's business alone, joined or not. */
    @ParameterizedTest
    @MethodSource("allVersions")
    void aliasesSpecialCaseUpToV5(RoomVersion version) {
        var g = RoomGraph.standard(version);
        var ownDomain = g.state("A1", EVELYN, "m.room.aliases", "example.com", Json.obj(), "START");
        var otherDomain = g.state("A2", EVELYN, "m.room.aliases", "other.org", Json.obj(), "START");
        if (version.authorization().specialCaseAliases()) {
            assertAllowed(g, ownDomain);
            assertRejected(g, otherDomain, AuthRule.ALIASES_DOMAIN_MISMATCH);
        } else {
            assertRejected(g, ownDomain, AuthRule.SENDER_NOT_JOINED);
            assertRejected(g, g.state("A3", BOB, "m.room.aliases", "example.com", Json.obj(), "START"),
                    AuthRule.EVENT_POWER_LEVEL);
        }
    }

    @Test
    void aliasesWithoutStateKeyAreRejectedUpToV5() {
        var g = RoomGraph.standard(v(5));
        g.state("A", ALICE, "m.room.aliases", "example.com", Json.obj(), "START");
        var noStateKey = g.edit("A", "A2", json -> json.remove("state_key"));
        assertRejected(g, noStateKey, AuthRule.ALIASES_NO_STATE_KEY);
    }

    /** v1-2: redacting another server's event needs the redact level; from v3 it is checked elsewhere. */
    @ParameterizedTest
    @MethodSource("allVersions")
    void redactionRuleUpToV2(RoomVersion version) {
        var g = RoomGraph.standard(version);
        var content = version.redaction().v11Rules() ? Json.obj("redacts", "$x:other.org") : Json.obj();
        g.state("R0", BOB, "m.room.redaction", null, content, "START");
        var foreign = g.edit("R0", "R", json -> {
            json.remove("state_key");
            json.put("redacts", "$x:other.org");
        });
        var local = g.edit("R0", "R2", json -> {
            json.remove("state_key");
            json.put("redacts", "$x:example.com");
        });
        if (version.authorization().redactionAuthRule()) {
            assertRejected(g, foreign, AuthRule.REDACT_LEVEL);
        } else {
            assertAllowed(g, foreign);
        }
        assertAllowed(g, local);
    }

    @Test
    void stateWithoutCreateEventRejectsEverything() {
        var g = RoomGraph.standard(v(11));
        var message = g.message("M", ZARA, "START");
        var state = g.stateEventsAfter("START");
        state.remove(new StateKey("m.room.create", ""));
        assertThatThrownBy(() -> RoomGraph.AUTHORIZER.authorize(message, state))
                .isInstanceOfSatisfying(AuthorizationException.class,
                        e -> org.assertj.core.api.Assertions.assertThat(e.rule()).isEqualTo(AuthRule.NO_CREATE_EVENT));
    }

    /** Receipt check 5: the state before the event can reject what its auth events allow. */
    @Test
    void stateBeforeTheEventCanDifferFromItsAuthEvents() throws AuthorizationException {
        var g = RoomGraph.standard(v(11));
        var message = g.message("M", ZARA, "START");
        g.member("B", ALICE, ZARA, "ban", "START");
        RoomGraph.AUTHORIZER.authorize(message, g.stateEventsAfter("START"));
        assertThatThrownBy(() -> RoomGraph.AUTHORIZER.authorize(message, g.stateEventsAfter("B")))
                .isInstanceOfSatisfying(AuthorizationException.class,
                        e -> org.assertj.core.api.Assertions.assertThat(e.rule()).isEqualTo(AuthRule.SENDER_NOT_JOINED));
    }
}
