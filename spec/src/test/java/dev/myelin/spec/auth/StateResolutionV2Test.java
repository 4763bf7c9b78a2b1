package dev.myelin.spec.auth;

import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;
import dev.myelin.spec.event.StateKey;

import static dev.myelin.spec.auth.RoomGraph.ALICE;
import static dev.myelin.spec.auth.RoomGraph.BOB;
import static dev.myelin.spec.auth.RoomGraph.CHARLIE;
import static dev.myelin.spec.auth.RoomGraph.EVELYN;
import static dev.myelin.spec.auth.RoomGraph.ZARA;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * DAG scenarios resolved with state resolution v2 (versions 2-11) and v2.1 (version 12), which
 * agree on all of them. Each test names the state entries that END has and START had not.
 */
class StateResolutionV2Test {

    static Stream<RoomVersion> versions() {
        return Stream.of("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
                .map(id -> RoomVersion.byId(id).orElseThrow());
    }

    /**
     * Alice bans Bob (MB) while Bob concurrently sends a power levels event (PB). Alice's events
     * sort first as she has more power, so Bob is banned by the time PB is checked and PB fails.
     */
    @ParameterizedTest
    @MethodSource("versions")
    void banBeatsConcurrentPowerLevelChange(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.powerLevels("PA", ALICE, Map.of(ALICE, 100, BOB, 50), "START");
        g.member("MA", ALICE, ALICE, "join", "PA");
        g.member("MB", ALICE, BOB, "ban", "MA");
        g.powerLevels("PB", BOB, Map.of(ALICE, 100, BOB, 50), "PA");
        g.message("END", ZARA, "MB", "PB");

        assertThat(g.changedBetween("START", "END")).containsExactlyInAnyOrder("PA", "MA", "MB");
    }

    /** Evelyn joins on one fork while Alice makes the room invite-only on the other: the join fails. */
    @ParameterizedTest
    @MethodSource("versions")
    void joinRuleEvasionFails(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.state("JR", ALICE, "m.room.join_rules", "", Json.obj("join_rule", "invite"), "START");
        g.member("ME", EVELYN, EVELYN, "join", "START");
        g.message("END", ZARA, "JR", "ME");

        assertThat(g.changedBetween("START", "END")).containsExactly("JR");
    }

    /** Join rules flip public → invite → public on one fork while Evelyn joins on the other. */
    @ParameterizedTest
    @MethodSource("versions")
    void joinRulesChangedBackAndForth(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.state("JR1", ALICE, "m.room.join_rules", "", Json.obj("join_rule", "invite"), "START");
        g.state("JR2", ALICE, "m.room.join_rules", "", Json.obj("join_rule", "public"), "JR1");
        g.member("ME", EVELYN, EVELYN, "join", "START");
        g.message("END", ZARA, "JR2", "ME");

        // JR1 is replayed first (earlier), so Evelyn's join, authed against public IJR, is checked
        // against the resolved rule JR2 (public) and stands.
        assertThat(g.changedBetween("START", "END")).containsExactlyInAnyOrder("JR2", "ME");
    }

    /**
     * Bob gives Charlie power (PB) and Charlie demotes himself (PC); the other fork stays at PA.
     * Nothing revokes Bob's or Charlie's power, so PC stands.
     */
    @ParameterizedTest
    @MethodSource("versions")
    void offTopicPowerLevelFork(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.powerLevels("PA", ALICE, Map.of(ALICE, 100, BOB, 50), "START");
        g.powerLevels("PB", BOB, Map.of(ALICE, 100, BOB, 50, CHARLIE, 50), "PA");
        g.powerLevels("PC", CHARLIE, Map.of(ALICE, 100, BOB, 50, CHARLIE, 0), "PB");
        g.message("END", ZARA, "PC", "PA");

        assertThat(g.changedBetween("START", "END")).containsExactly("PC");
    }

    /**
     * Alice demotes Bob (PA2) while Bob re-asserts his level (PB) and sets a topic (T3). The
     * demotion wins, so T3 (authed by PB) fails and Alice's T2 stays.
     */
    @ParameterizedTest
    @MethodSource("versions")
    void topicBasic(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.topic("T1", ALICE, "START");
        g.powerLevels("PA1", ALICE, Map.of(ALICE, 100, BOB, 50), "T1");
        g.topic("T2", ALICE, "PA1");
        g.powerLevels("PA2", ALICE, Map.of(ALICE, 100, BOB, 0), "T2");
        g.powerLevels("PB", BOB, Map.of(ALICE, 100, BOB, 50), "PA1");
        g.topic("T3", BOB, "PB");
        g.message("END", ZARA, "PA2", "T3");

        assertThat(g.changedBetween("START", "END")).containsExactlyInAnyOrder("PA2", "T2");
    }

    /**
     * Bob sets topic T2 after being given power, then Alice bans him; the other fork still says T1.
     * Bob's ban makes T2 fail on replay, so the topic resets to T1 — intended: the ban revokes it.
     */
    @ParameterizedTest
    @MethodSource("versions")
    void topicReset(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.topic("T1", ALICE, "START");
        g.powerLevels("PA", ALICE, Map.of(ALICE, 100, BOB, 50), "T1");
        g.topic("T2", BOB, "PA");
        g.member("MB", ALICE, BOB, "ban", "T2");
        g.message("END", ZARA, "MB", "T1");

        assertThat(g.changedBetween("START", "END")).containsExactlyInAnyOrder("T1", "MB", "PA");
    }

    /** As topicBasic, then Zara merges the forks and Alice sets T4 after the merge: T4 wins. */
    @ParameterizedTest
    @MethodSource("versions")
    void topicAfterMerge(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.topic("T1", ALICE, "START");
        g.powerLevels("PA1", ALICE, Map.of(ALICE, 100, BOB, 50), "T1");
        g.topic("T2", ALICE, "PA1");
        g.powerLevels("PA2", ALICE, Map.of(ALICE, 100, BOB, 0), "T2");
        g.powerLevels("PB", BOB, Map.of(ALICE, 100, BOB, 50), "PA1");
        g.topic("T3", BOB, "PB");
        g.message("MZ1", ZARA, "PA2", "T3");
        g.topic("T4", ALICE, "MZ1");
        g.message("END", ZARA, "T4", "MZ1");

        assertThat(g.changedBetween("START", "END")).containsExactlyInAnyOrder("T4", "PA2");
    }

    /**
     * T3 is authed by PA2, later on the mainline than the PA1 that T4's chain meets, so T3 sorts
     * after T4 and wins though T4 was sent later.
     */
    @ParameterizedTest
    @MethodSource("versions")
    void mainlineOrderingBeatsTimestamps(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.topic("T1", ALICE, "START");
        g.powerLevels("PA1", ALICE, Map.of(ALICE, 100, BOB, 50), "T1");
        g.topic("T2", ALICE, "PA1");
        g.state("PA2", ALICE, "m.room.power_levels", "", Json.obj(
                "users", g.creatorsOmitted(Map.of(ALICE, 100, BOB, 50)),
                "events", Map.of("m.room.power_levels", 100)), "T2");
        g.powerLevels("PB", BOB, Map.of(ALICE, 100, BOB, 50), "PA1");
        g.topic("T3", BOB, "PA2");
        g.topic("T4", ALICE, "PB");
        g.message("END", ZARA, "T3", "T4");

        assertThat(g.changedBetween("START", "END")).containsExactlyInAnyOrder("T3", "PA2");
    }

    /** Alice bans Zara while Zara concurrently rejoins after leaving: the ban holds. */
    @ParameterizedTest
    @MethodSource("versions")
    void concurrentBanAndJoin(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.member("ZL", ZARA, ZARA, "leave", "START");
        g.member("ZB", ALICE, ZARA, "ban", "ZL");
        g.member("ZJ", ZARA, ZARA, "join", "ZL");
        g.message("END", ALICE, "ZB", "ZJ");

        assertThat(g.stateAfter("END").get(new StateKey("m.room.member", ZARA)))
                .isEqualTo(g.id("ZB"));
    }

    /** Forks that agree on every key resolve to that state, whatever the version. */
    @ParameterizedTest
    @MethodSource("versions")
    void unconflictedForksMerge(RoomVersion version) {
        var g = RoomGraph.standard(version);
        g.topic("T1", ALICE, "START");
        g.member("ME", EVELYN, EVELYN, "join", "START");
        g.message("END", ZARA, "T1", "ME");

        assertThat(g.changedBetween("START", "END")).containsExactlyInAnyOrder("T1", "ME");
    }

    /**
     * Alice (creator) demotes admin Bob while Bob, earlier, kicks Charlie. In v11 both are at 100:
     * the kick sorts first by timestamp and Alice cannot demote a peer, so the kick stands. In v12
     * (MSC4289) Alice's infinite power sorts her change first and lets it through; the kick then fails.
     */
    @Test
    void creatorOutranksAdminsFromV12() {
        for (RoomVersion version : new RoomVersion[] {RoomVersion.V11, RoomVersion.V12}) {
            var g = RoomGraph.standard(version);
            g.powerLevels("PA", ALICE, Map.of(ALICE, 100, BOB, 100, CHARLIE, 50), "START");
            g.member("KICK", BOB, CHARLIE, "leave", "PA");
            g.powerLevels("DEMOTE", ALICE, Map.of(ALICE, 100, BOB, 0, CHARLIE, 50), "PA");
            g.message("END", ZARA, "KICK", "DEMOTE");

            if (version.authorization().privilegedCreators()) {
                assertThat(g.changedBetween("START", "END")).containsExactly("DEMOTE");
            } else {
                assertThat(g.changedBetween("START", "END")).containsExactlyInAnyOrder("PA", "KICK");
            }
        }
    }
}
