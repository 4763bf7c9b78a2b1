package dev.myelin.spec.auth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;
import java.util.List;

import static dev.myelin.spec.auth.AuthAssertions.assertAllowed;
import static dev.myelin.spec.auth.AuthAssertions.assertRejected;
import static dev.myelin.spec.auth.RoomGraph.ALICE;
import static dev.myelin.spec.auth.RoomGraph.BOB;
import static dev.myelin.spec.auth.RoomGraph.CHARLIE;
import static dev.myelin.spec.auth.RoomGraph.EVELYN;
import static dev.myelin.spec.auth.RoomGraph.ZARA;

/** Rule 5: m.room.member joins, invites, leaves, bans and knocks. */
class MembershipRulesTest {

    static Stream<RoomVersion> allVersions() {
        return CreateRulesTest.allVersions();
    }

    static RoomVersion v(int n) {
        return RoomVersion.byId(Integer.toString(n)).orElseThrow();
    }

    private static RoomGraph withJoinRule(RoomVersion version, String joinRule) {
        var g = RoomGraph.standard(version);
        g.state("JR", ALICE, "m.room.join_rules", "", Json.obj("join_rule", joinRule), "START");
        return g;
    }

    // --- join ---

    @ParameterizedTest
    @MethodSource("allVersions")
    void creatorJoinsRightAfterCreate(RoomVersion version) {
        var g = new RoomGraph(version);
        g.create("CREATE", ALICE);
        assertAllowed(g, g.member("IMA", ALICE, ALICE, "join", "CREATE"));
    }

    @Test
    void firstJoinNeedsTheCreatorFromContentUpToV10() {
        var g = new RoomGraph(v(10));
        g.create("CREATE", ALICE, Json.obj("creator", BOB));
        assertRejected(g, g.member("IMA", ALICE, ALICE, "join", "CREATE"), AuthRule.JOIN_NOT_INVITED);
    }

    @Test
    void firstJoinNeedsTheSenderOfCreateFromV11() {
        var g = new RoomGraph(v(11));
        g.create("CREATE", ALICE, Json.obj("creator", BOB));
        assertAllowed(g, g.member("IMA", ALICE, ALICE, "join", "CREATE"));
        assertRejected(g, g.member("IMB", BOB, BOB, "join", "CREATE"), AuthRule.JOIN_NOT_INVITED);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void joinOnBehalfOfAnotherIsRejected(RoomVersion version) {
        var g = RoomGraph.standard(version);
        assertRejected(g, g.member("J", ALICE, EVELYN, "join", "START"), AuthRule.JOIN_SENDER_NOT_TARGET);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void bannedUserCannotJoin(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.member("B", ALICE, EVELYN, "ban", "START");
        assertRejected(g, g.member("J", EVELYN, EVELYN, "join", "B"), AuthRule.JOIN_BANNED);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void publicRoomCanBeJoined(RoomVersion version) {
        var g = RoomGraph.standard(version);
        assertAllowed(g, g.member("J", EVELYN, EVELYN, "join", "START"));
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void inviteOnlyRoomNeedsAnInvite(RoomVersion version) {
        var g = withJoinRule(version, "invite");
        assertRejected(g, g.member("J1", EVELYN, EVELYN, "join", "JR"), AuthRule.JOIN_NOT_INVITED);
        g.member("I", ALICE, EVELYN, "invite", "JR");
        assertAllowed(g, g.member("J2", EVELYN, EVELYN, "join", "I"));
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void knockJoinRuleActsAsInviteFromV7(RoomVersion version) {
        var g = withJoinRule(version, "knock");
        g.member("I", ALICE, EVELYN, "invite", "JR");
        var join = g.member("J", EVELYN, EVELYN, "join", "I");
        if (version.authorization().knocking()) {
            assertAllowed(g, join);
        } else {
            assertRejected(g, join, AuthRule.JOIN_RULE_FORBIDS);
        }
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void privateJoinRuleForbidsJoining(RoomVersion version) {
        var g = withJoinRule(version, "private");
        assertRejected(g, g.member("J", EVELYN, EVELYN, "join", "JR"), AuthRule.JOIN_RULE_FORBIDS);
    }

    private static ObjectNode joinVia(String authoriser) {
        return Json.obj("membership", "join", "join_authorised_via_users_server", authoriser);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void restrictedJoinViaJoinedInviterFromV8(RoomVersion version) {
        var g = withJoinRule(version, "restricted");
        var join = g.state("J", EVELYN, "m.room.member", EVELYN, joinVia(ALICE), "JR");
        if (version.authorization().restrictedJoins()) {
            assertAllowed(g, join);
        } else {
            assertRejected(g, join, AuthRule.JOIN_RULE_FORBIDS);
        }
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void knockRestrictedJoinViaJoinedInviterFromV10(RoomVersion version) {
        var g = withJoinRule(version, "knock_restricted");
        var join = g.state("J", EVELYN, "m.room.member", EVELYN, joinVia(ALICE), "JR");
        if (version.authorization().knockRestricted()) {
            assertAllowed(g, join);
        } else {
            assertRejected(g, join, AuthRule.JOIN_RULE_FORBIDS);
        }
    }

    @Test
    void restrictedJoinNeedsAJoinedAuthoriser() {
        var g = withJoinRule(v(8), "restricted");
        var join = g.state("J", EVELYN, "m.room.member", EVELYN, joinVia("@nobody:example.com"), "JR");
        assertRejected(g, join, AuthRule.JOIN_AUTHORISER_INVALID);
    }

    @Test
    void restrictedJoinNeedsAnAuthoriserWithInvitePower() {
        var g = RoomGraph.standard(v(9));
        g.state("PL", ALICE, "m.room.power_levels", "", Json.obj("users", Map.of(ALICE, 100), "invite", 50), "START");
        g.state("JR", ALICE, "m.room.join_rules", "", Json.obj("join_rule", "restricted"), "PL");
        assertRejected(g, g.state("J1", EVELYN, "m.room.member", EVELYN, joinVia(BOB), "JR"),
                AuthRule.JOIN_AUTHORISER_INVALID);
        assertAllowed(g, g.state("J2", EVELYN, "m.room.member", EVELYN, joinVia(ALICE), "JR"));
    }

    @Test
    void restrictedJoinWithoutAuthoriserNeedsAnInvite() {
        var g = withJoinRule(v(8), "restricted");
        assertRejected(g, g.member("J1", EVELYN, EVELYN, "join", "JR"), AuthRule.JOIN_AUTHORISER_INVALID);
        g.member("I", ALICE, EVELYN, "invite", "JR");
        assertAllowed(g, g.member("J2", EVELYN, EVELYN, "join", "I"));
    }

    @Test
    void authoriserServerMustHaveSigned() {
        var g = withJoinRule(v(10), "restricted");
        g.state("J", EVELYN, "m.room.member", EVELYN, joinVia(ALICE), "JR");
        var unsigned = g.edit("J", "J2", json -> json.set("signatures", Json.obj("other.org", Json.obj())));
        assertRejected(g, unsigned, AuthRule.JOIN_AUTHORISER_NOT_SIGNED);
    }

    // --- invite ---

    @ParameterizedTest
    @MethodSource("allVersions")
    void joinedMemberInvites(RoomVersion version) {
        var g = RoomGraph.standard(version);
        assertAllowed(g, g.member("I", BOB, EVELYN, "invite", "START"));
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void inviterMustBeJoined(RoomVersion version) {
        var g = RoomGraph.standard(version);
        assertRejected(g, g.member("I", EVELYN, CHARLIE, "invite", "START"), AuthRule.INVITE_SENDER_NOT_JOINED);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void joinedOrBannedUserCannotBeInvited(RoomVersion version) {
        var g = RoomGraph.standard(version);
        assertRejected(g, g.member("I1", ALICE, BOB, "invite", "START"), AuthRule.INVITE_TARGET_JOINED_OR_BANNED);
        g.member("B", ALICE, EVELYN, "ban", "START");
        assertRejected(g, g.member("I2", ALICE, EVELYN, "invite", "B"), AuthRule.INVITE_TARGET_JOINED_OR_BANNED);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void inviterNeedsTheInviteLevel(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.state("PL", ALICE, "m.room.power_levels", "",
                Json.obj("users", g.creatorsOmitted(Map.of(ALICE, 100)), "invite", 10), "START");
        assertRejected(g, g.member("I", BOB, EVELYN, "invite", "PL"), AuthRule.INVITE_LEVEL);
    }

    // --- third-party invite ---

    private static final EventAuthorizer ACCEPTS_GOOD_KEY =
            new EventAuthorizer((signed, keys) -> keys.contains("good-key") && signed.has("signatures"));

    private static RoomGraph withThirdPartyInvite(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.state("TPI", ALICE, "m.room.third_party_invite", "tok",
                Json.obj("public_key", "old-key", "public_keys", List.of(Map.of("public_key", "good-key"))),
                "START");
        return g;
    }

    private static ObjectNode thirdPartyInvite(String mxid, String token) {
        return Json.obj("membership", "invite", "third_party_invite",
                Json.obj("signed", Json.obj("mxid", mxid, "token", token, "signatures", Json.obj("id.example", Json.obj()))));
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void thirdPartyInviteWithValidSignatureIsAllowed(RoomVersion version) {
        var g = withThirdPartyInvite(version);
        var invite = g.state("I", ALICE, "m.room.member", EVELYN, thirdPartyInvite(EVELYN, "tok"), "TPI");
        assertAllowed(ACCEPTS_GOOD_KEY, g, invite);
        assertRejected(g, invite, AuthRule.THIRD_PARTY_INVITE_BAD_SIGNATURE);
    }

    @Test
    void thirdPartyInviteChecksTokenMxidAndSender() {
        var g = withThirdPartyInvite(v(11));
        assertRejected(ACCEPTS_GOOD_KEY, g, g.state("I1", ALICE, "m.room.member", EVELYN,
                thirdPartyInvite(CHARLIE, "tok"), "TPI"), AuthRule.THIRD_PARTY_INVITE_MXID_MISMATCH);
        assertRejected(ACCEPTS_GOOD_KEY, g, g.state("I2", ALICE, "m.room.member", EVELYN,
                thirdPartyInvite(EVELYN, "other"), "TPI"), AuthRule.THIRD_PARTY_INVITE_NO_TOKEN_EVENT);
        assertRejected(ACCEPTS_GOOD_KEY, g, g.state("I3", BOB, "m.room.member", EVELYN,
                thirdPartyInvite(EVELYN, "tok"), "TPI"), AuthRule.THIRD_PARTY_INVITE_SENDER_MISMATCH);
        assertRejected(ACCEPTS_GOOD_KEY, g, g.state("I4", ALICE, "m.room.member", EVELYN,
                Json.obj("membership", "invite", "third_party_invite", Json.obj()), "TPI"),
                AuthRule.THIRD_PARTY_INVITE_NO_SIGNED);
        assertRejected(ACCEPTS_GOOD_KEY, g, g.state("I5", ALICE, "m.room.member", EVELYN,
                Json.obj("membership", "invite", "third_party_invite", Json.obj("signed", Json.obj("token", "tok"))),
                "TPI"), AuthRule.THIRD_PARTY_INVITE_SIGNED_INCOMPLETE);
    }

    @Test
    void thirdPartyInviteOfBannedUserIsRejected() {
        var g = withThirdPartyInvite(v(11));
        g.member("B", ALICE, EVELYN, "ban", "TPI");
        assertRejected(ACCEPTS_GOOD_KEY, g, g.state("I", ALICE, "m.room.member", EVELYN,
                thirdPartyInvite(EVELYN, "tok"), "B"), AuthRule.THIRD_PARTY_INVITE_TARGET_BANNED);
    }

    // --- leave ---

    @ParameterizedTest
    @MethodSource("allVersions")
    void memberLeaves(RoomVersion version) {
        var g = RoomGraph.standard(version);
        assertAllowed(g, g.member("L", BOB, BOB, "leave", "START"));
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void nonMemberCannotLeave(RoomVersion version) {
        var g = RoomGraph.standard(version);
        assertRejected(g, g.member("L", EVELYN, EVELYN, "leave", "START"), AuthRule.LEAVE_NOT_MEMBER);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void knockerRetractsKnockFromV7(RoomVersion version) {
        var g = withJoinRule(version, "knock");
        g.member("K", EVELYN, EVELYN, "knock", "JR");
        var leave = g.member("L", EVELYN, EVELYN, "leave", "K");
        if (version.authorization().knocking()) {
            assertAllowed(g, leave);
        } else {
            // Before v7 the knock itself is unknown, but a DAG may still carry it.
            assertRejected(g, leave, AuthRule.LEAVE_NOT_MEMBER);
        }
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void kickNeedsKickLevelAndMorePower(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.powerLevels("PL", ALICE, Map.of(ALICE, 100, BOB, 50, CHARLIE, 50), "START");
        assertAllowed(g, g.member("K1", BOB, ZARA, "leave", "PL"));
        assertRejected(g, g.member("K2", BOB, CHARLIE, "leave", "PL"), AuthRule.KICK_LEVEL);
        assertRejected(g, g.member("K3", ZARA, BOB, "leave", "PL"), AuthRule.KICK_LEVEL);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void kickerMustBeJoined(RoomVersion version) {
        var g = RoomGraph.standard(version);
        assertRejected(g, g.member("K", EVELYN, BOB, "leave", "START"), AuthRule.LEAVE_SENDER_NOT_JOINED);
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void unbanNeedsBanLevel(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.state("PL", ALICE, "m.room.power_levels", "",
                Json.obj("users", g.creatorsOmitted(Map.of(ALICE, 100, BOB, 50)), "kick", 50, "ban", 75), "START");
        g.member("B", ALICE, EVELYN, "ban", "PL");
        assertRejected(g, g.member("U1", BOB, EVELYN, "leave", "B"), AuthRule.UNBAN_LEVEL);
        assertAllowed(g, g.member("U2", ALICE, EVELYN, "leave", "B"));
    }

    // --- ban ---

    @ParameterizedTest
    @MethodSource("allVersions")
    void banNeedsBanLevelAndMorePower(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.powerLevels("PL", ALICE, Map.of(ALICE, 100, BOB, 50, CHARLIE, 50), "START");
        assertAllowed(g, g.member("B1", BOB, ZARA, "ban", "PL"));
        assertRejected(g, g.member("B2", BOB, CHARLIE, "ban", "PL"), AuthRule.BAN_LEVEL);
        assertRejected(g, g.member("B3", ZARA, EVELYN, "ban", "PL"), AuthRule.BAN_LEVEL);
        assertRejected(g, g.member("B4", EVELYN, ZARA, "ban", "PL"), AuthRule.BAN_SENDER_NOT_JOINED);
    }

    /** A peer at the same level cannot be banned; v12 creators can ban anyone, even at 100. */
    @ParameterizedTest
    @MethodSource("allVersions")
    void creatorBansAnAdmin(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.powerLevels("PL", ALICE, Map.of(ALICE, 100, BOB, 100), "START");
        var ban = g.member("B", ALICE, BOB, "ban", "PL");
        if (version.authorization().privilegedCreators()) {
            assertAllowed(g, ban);
        } else {
            assertRejected(g, ban, AuthRule.BAN_LEVEL);
        }
    }

    @Test
    void adminCannotBanACreatorInV12() {
        var g = RoomGraph.standard(v(12));
        g.powerLevels("PL", ALICE, Map.of(BOB, 1_000_000), "START");
        assertRejected(g, g.member("B", BOB, ALICE, "ban", "PL"), AuthRule.BAN_LEVEL);
    }

    @Test
    void additionalCreatorsHaveInfinitePowerInV12() {
        var g = new RoomGraph(v(12));
        g.create("CREATE", ALICE, Json.obj("additional_creators", List.of(BOB)));
        g.member("IMA", ALICE, ALICE, "join", "CREATE");
        g.powerLevels("IPOWER", ALICE, Map.of(CHARLIE, 100), "IMA");
        g.state("IJR", ALICE, "m.room.join_rules", "", Json.obj("join_rule", "public"), "IPOWER");
        g.member("IMB", BOB, BOB, "join", "IJR");
        g.member("IMC", CHARLIE, CHARLIE, "join", "IMB");
        assertAllowed(g, g.member("B", BOB, CHARLIE, "ban", "IMC"));
        assertRejected(g, g.member("B2", CHARLIE, BOB, "ban", "IMC"), AuthRule.BAN_LEVEL);
    }

    // --- knock ---

    @ParameterizedTest
    @MethodSource("allVersions")
    void knockNeedsKnockingSupportAndJoinRule(RoomVersion version) {
        var g = withJoinRule(version, "knock");
        var knock = g.member("K", EVELYN, EVELYN, "knock", "JR");
        if (version.authorization().knocking()) {
            assertAllowed(g, knock);
        } else {
            assertRejected(g, knock, AuthRule.UNKNOWN_MEMBERSHIP);
        }
    }

    @ParameterizedTest
    @MethodSource("allVersions")
    void knockRestrictedAllowsKnockingFromV10(RoomVersion version) {
        var g = withJoinRule(version, "knock_restricted");
        var knock = g.member("K", EVELYN, EVELYN, "knock", "JR");
        if (version.authorization().knockRestricted()) {
            assertAllowed(g, knock);
        } else if (version.authorization().knocking()) {
            assertRejected(g, knock, AuthRule.KNOCK_JOIN_RULE);
        } else {
            assertRejected(g, knock, AuthRule.UNKNOWN_MEMBERSHIP);
        }
    }

    @Test
    void knockRules() {
        var g = withJoinRule(v(7), "knock");
        assertRejected(g, g.member("K1", ALICE, EVELYN, "knock", "JR"), AuthRule.KNOCK_SENDER_NOT_TARGET);
        assertRejected(g, g.member("K2", BOB, BOB, "knock", "JR"), AuthRule.KNOCK_MEMBERSHIP);
        var publicRoom = RoomGraph.standard(v(7));
        assertRejected(publicRoom, publicRoom.member("K3", EVELYN, EVELYN, "knock", "START"), AuthRule.KNOCK_JOIN_RULE);
    }

    // --- malformed ---

    @ParameterizedTest
    @MethodSource("allVersions")
    void unknownOrMissingMembershipIsRejected(RoomVersion version) {
        var g = RoomGraph.standard(version);
        assertRejected(g, g.member("M1", EVELYN, EVELYN, "dance", "START"), AuthRule.UNKNOWN_MEMBERSHIP);
        assertRejected(g, g.state("M2", EVELYN, "m.room.member", EVELYN, Json.obj(), "START"),
                AuthRule.MEMBER_NO_STATE_KEY_OR_MEMBERSHIP);
    }
}
