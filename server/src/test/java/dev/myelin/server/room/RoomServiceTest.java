package dev.myelin.server.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.ErrorCode;
import dev.myelin.server.http.Json;
import dev.myelin.server.http.MatrixException;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.server.storage.StoreContractTest;
import dev.myelin.server.storage.sql.SqlRoomStore;
import dev.myelin.server.sync.InProcessNotifier;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoomServiceTest extends StoreContractTest {
    private static final String ALICE = "@alice:test.local";
    private static final String BOB = "@bob:test.local";
    private static final String EVE = "@eve:test.local";

    private RoomService rooms;
    private RoomStore store;
    private InProcessNotifier notifier;

    @BeforeEach
    void wire() {
        store = new SqlRoomStore(database);
        notifier = new InProcessNotifier();
        rooms = new RoomService("test.local", SigningKey.generate("ed25519:t", new SecureRandom()), store, notifier,
                Clock.systemUTC());
    }

    private String createRoom(RoomVersion version, String preset, List<String> invite) {
        return RoomCreation.create(rooms, ALICE, new CreateRoomRequest(version, false, Optional.ofNullable(preset),
                Optional.of("Room"), Optional.of("Topic"), invite, false, Json.MAPPER.createObjectNode(), List.of(),
                Optional.empty(), Optional.empty()));
    }

    @Test
    void identicalRoomsCreatedInOneMillisecondAreDistinctRooms() {
        rooms = new RoomService("test.local", SigningKey.generate("ed25519:t", new SecureRandom()), store, notifier,
                Clock.fixed(java.time.Instant.parse("2026-11-22T00:00:00Z"), java.time.ZoneOffset.UTC));
        // v12 room ids are the create event's hash: the same creator, content and time would be the same room.
        assertThat(createRoom(RoomVersion.V12, null, List.of())).isNotEqualTo(createRoom(RoomVersion.V12, null, List.of()));
    }

    private static ObjectNode text(String body) {
        return Json.MAPPER.createObjectNode().put("msgtype", "m.text").put("body", body);
    }

    private String message(String roomId, String sender, String body) {
        return rooms.send(roomId, new RoomService.Draft(sender, "m.room.message", null, text(body)), Optional.empty());
    }

    private Pdu pdu(String roomId, String eventId) {
        RoomStore.Room room = store.room(roomId).orElseThrow();
        return rooms.pdu(store.event(eventId).orElseThrow(), RoomService.version(room));
    }

    private Map<StateKey, StoredEvent> state(String roomId) {
        return store.state(store.room(roomId).orElseThrow().currentSnapshot());
    }

    private static void assertForbidden(Runnable action) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(MatrixException.class,
                e -> assertThat(e.errcode()).isEqualTo(ErrorCode.M_FORBIDDEN));
    }

    @Test
    void aPrivateChatHasTheSpecsInitialStateInOneLinearChain() {
        String roomId = createRoom(RoomVersion.V12, null, List.of(BOB));

        RoomStore.Room room = store.room(roomId).orElseThrow();
        assertThat(room.version()).isEqualTo("12");
        Map<StateKey, StoredEvent> state = state(roomId);
        assertThat(state.keySet()).containsExactlyInAnyOrder(
                new StateKey("m.room.create", ""), new StateKey("m.room.member", ALICE),
                new StateKey("m.room.power_levels", ""), new StateKey("m.room.join_rules", ""),
                new StateKey("m.room.history_visibility", ""), new StateKey("m.room.guest_access", ""),
                new StateKey("m.room.name", ""), new StateKey("m.room.topic", ""),
                new StateKey("m.room.member", BOB));
        Pdu create = pdu(roomId, state.get(new StateKey("m.room.create", "")).eventId());
        assertThat(roomId).isEqualTo("!" + create.eventId().substring(1));
        assertThat(pdu(roomId, state.get(new StateKey("m.room.join_rules", "")).eventId()).content()
                .path("join_rule").asText()).isEqualTo("invite");
        ObjectNode powerLevels = pdu(roomId, state.get(new StateKey("m.room.power_levels", "")).eventId()).content();
        assertThat(powerLevels.path("users").has(ALICE)).as("v12 creators are not listed").isFalse();
        assertThat(powerLevels.path("events").path("m.room.tombstone").asLong()).isEqualTo(150);
        assertThat(rooms.currentMembership(roomId, BOB)).isEqualTo("invite");
        assertThat(store.forwardExtremities(room.nid())).hasSize(1);
        assertThat(notifier.position(SqlRoomStore.EVENTS)).isEqualTo(store.currentStreamPos()).isEqualTo(9);
    }

    @Test
    void olderRoomVersionsCiteTheCreateEventAndListTheCreatorInPowerLevels() {
        for (RoomVersion version : List.of(RoomVersion.V1, RoomVersion.V6, RoomVersion.V10, RoomVersion.V11)) {
            String roomId = createRoom(version, "public_chat", List.of());
            String eventId = message(roomId, ALICE, "hi in v" + version.id());
            Pdu event = pdu(roomId, eventId);
            StoredEvent create = state(roomId).get(new StateKey("m.room.create", ""));
            assertThat(event.authEvents()).as("v" + version.id()).contains(create.eventId());
            rooms.join(roomId, BOB, null);
            assertThat(rooms.currentMembership(roomId, BOB)).isEqualTo("join");
        }
    }

    @Test
    void trustedPrivateChatMakesInviteesAdditionalCreatorsInV12() {
        String roomId = createRoom(RoomVersion.V12, "trusted_private_chat", List.of(BOB));
        Pdu create = pdu(roomId, state(roomId).get(new StateKey("m.room.create", "")).eventId());
        assertThat(create.content().path("additional_creators").get(0).asText()).isEqualTo(BOB);
        rooms.join(roomId, BOB, null);
        // As a creator Bob has infinite power: he may change power levels.
        rooms.send(roomId, new RoomService.Draft(BOB, "m.room.power_levels", "",
                Json.MAPPER.createObjectNode().put("state_default", 10)), Optional.empty());
    }

    @Test
    void anUnauthorizedEventIsRefusedAndNothingIsWritten() {
        String roomId = createRoom(RoomVersion.V12, null, List.of());
        long before = store.currentStreamPos();

        assertForbidden(() -> message(roomId, EVE, "let me in"));
        assertForbidden(() -> rooms.join(roomId, EVE, null));
        rooms.invite(roomId, ALICE, BOB, null);
        rooms.join(roomId, BOB, null);
        long afterJoin = store.currentStreamPos();
        assertForbidden(() -> rooms.send(roomId, new RoomService.Draft(BOB, "m.room.name", "",
                Json.MAPPER.createObjectNode().put("name", "mine")), Optional.empty()));
        assertForbidden(() -> rooms.kick(roomId, BOB, ALICE, null));
        assertForbidden(() -> rooms.ban(roomId, BOB, ALICE, null));

        assertThat(before + 2).isEqualTo(afterJoin);
        assertThat(store.currentStreamPos()).isEqualTo(afterJoin);
        assertThat(notifier.position(SqlRoomStore.EVENTS)).isEqualTo(afterJoin);
    }

    @Test
    void membershipChangesFollowTheAuthRules() {
        String roomId = createRoom(RoomVersion.V12, "public_chat", List.of());
        rooms.join(roomId, BOB, null);
        rooms.join(roomId, EVE, null);
        rooms.kick(roomId, ALICE, EVE, "spam");
        assertThat(rooms.currentMembership(roomId, EVE)).isEqualTo("leave");
        rooms.ban(roomId, ALICE, EVE, "more spam");
        assertForbidden(() -> rooms.join(roomId, EVE, null));
        rooms.unban(roomId, ALICE, EVE, null);
        rooms.join(roomId, EVE, null);
        rooms.leave(roomId, BOB, null);
        rooms.forget(roomId, BOB);
        assertThat(store.membership(roomId, BOB).orElseThrow().forgotten()).isTrue();
        assertThatThrownBy(() -> rooms.forget(roomId, EVE)).isInstanceOf(MatrixException.class);
        assertForbidden(() -> rooms.unban(roomId, ALICE, BOB, null));
    }

    @Test
    void concurrentSendsToOneRoomMakeALinearChainWithUniqueDepths() throws Exception {
        String roomId = createRoom(RoomVersion.V12, "public_chat", List.of());
        int senders = 20;
        int each = 5;
        Set<String> ids = ConcurrentHashMap.newKeySet();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new ArrayList<java.util.concurrent.Future<?>>();
            for (int s = 0; s < senders; s++) {
                int sender = s;
                futures.add(executor.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        ids.add(message(roomId, ALICE, "m" + sender + "-" + i));
                    }
                }));
            }
            for (var future : futures) {
                future.get();
            }
        }
        assertThat(ids).hasSize(senders * each);
        RoomStore.Room room = store.room(roomId).orElseThrow();
        List<StoredEvent> timeline = store.timeline(room.nid(), Long.MAX_VALUE, 0, true, 10_000).reversed();
        var depths = new HashSet<Long>();
        for (int i = 1; i < timeline.size(); i++) {
            Pdu event = rooms.pdu(timeline.get(i), RoomVersion.V12);
            assertThat(event.prevEvents()).containsExactly(timeline.get(i - 1).eventId());
            assertThat(event.depth()).isEqualTo(timeline.get(i - 1).depth() + 1);
            depths.add(event.depth());
        }
        assertThat(depths).hasSize(timeline.size() - 1);
        assertThat(store.forwardExtremities(room.nid())).containsExactly(timeline.getLast().eventId());
    }

    @Test
    void aRetriedTransactionIdReturnsTheFirstEvent() {
        String roomId = createRoom(RoomVersion.V12, null, List.of());
        var txn = Optional.of(new RoomStore.TxnKey(ALICE, "DEVICE", "send", "1"));
        String first = rooms.send(roomId, new RoomService.Draft(ALICE, "m.room.message", null, text("once")), txn);
        long position = store.currentStreamPos();
        String again = rooms.send(roomId, new RoomService.Draft(ALICE, "m.room.message", null, text("once")), txn);

        assertThat(again).isEqualTo(first);
        assertThat(store.currentStreamPos()).isEqualTo(position);
        String otherDevice = rooms.send(roomId, new RoomService.Draft(ALICE, "m.room.message", null, text("once")),
                Optional.of(new RoomStore.TxnKey(ALICE, "OTHER", "send", "1")));
        assertThat(otherDevice).isNotEqualTo(first);
    }

    @Test
    void anEventOverTheSizeLimitIsTooLarge() {
        String roomId = createRoom(RoomVersion.V12, null, List.of());
        assertThatThrownBy(() -> message(roomId, ALICE, "x".repeat(70_000)))
                .isInstanceOfSatisfying(MatrixException.class,
                        e -> assertThat(e.errcode()).isEqualTo(ErrorCode.M_TOO_LARGE));
    }

    @Test
    void redactionsNeedTheRedactLevelForOthersEvents() {
        String roomId = createRoom(RoomVersion.V12, "public_chat", List.of());
        rooms.join(roomId, BOB, null);
        String bobs = message(roomId, BOB, "bob's");
        String alices = message(roomId, ALICE, "alice's");

        assertForbidden(() -> rooms.redact(roomId, BOB, alices, null, Optional.empty()));
        String ownRedaction = rooms.redact(roomId, BOB, bobs, "oops", Optional.empty());
        assertThat(store.event(bobs).orElseThrow().redactedBy()).isEqualTo(ownRedaction);
        rooms.redact(roomId, ALICE, alices, null, Optional.empty());
        assertThat(pdu(roomId, ownRedaction).content().path("redacts").asText()).isEqualTo(bobs);
    }

    @Test
    void sendsQueuedWhileTheRoomIsBusyAreWrittenAsOneBatchEachCheckedOnItsOwn() throws Exception {
        String roomId = createRoom(RoomVersion.V12, "public_chat", List.of());
        var batches = new java.util.concurrent.CopyOnWriteArrayList<List<String>>();
        rooms.addListener((id, events, local) -> batches.add(events.stream().map(Pdu::eventId).toList()));
        var txn = new RoomStore.TxnKey(ALICE, "DEV", "send:" + roomId, "t1");
        var outcomes = new ConcurrentHashMap<String, Object>();
        var senders = new ArrayList<Thread>();
        rooms.withRoomLock(roomId, () -> {
            for (String name : List.of("a", "b", "c", "d")) {
                String sender = "b".equals(name) ? EVE : ALICE;
                Optional<RoomStore.TxnKey> key = "a".equals(name) || "c".equals(name) ? Optional.of(txn)
                        : Optional.empty();
                senders.add(Thread.ofVirtual().start(() -> {
                    try {
                        outcomes.put(name, rooms.send(roomId, new RoomService.Draft(sender, "m.room.message", null,
                                text(name)), key));
                    } catch (MatrixException e) {
                        outcomes.put(name, e);
                    }
                }));
            }
            // Each sender has queued its send once it waits for the room's lock.
            while (!senders.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
                Thread.onSpinWait();
            }
            return null;
        });
        for (Thread sender : senders) {
            sender.join();
        }

        assertThat(outcomes.get("b")).isInstanceOfSatisfying(MatrixException.class,
                e -> assertThat(e.errcode()).isEqualTo(ErrorCode.M_FORBIDDEN));
        assertThat(outcomes.get("a")).as("one transaction id, one event").isEqualTo(outcomes.get("c"));
        assertThat(batches).as("one write and one announcement").hasSize(1);
        assertThat(batches.getFirst()).containsExactlyInAnyOrder((String) outcomes.get("a"),
                (String) outcomes.get("d"));
        Pdu second = pdu(roomId, batches.getFirst().getLast());
        assertThat(second.prevEvents()).containsExactly(batches.getFirst().getFirst());
        assertThat(store.sentBefore(List.of(txn))).containsEntry(txn, (String) outcomes.get("a"));
    }

    @Test
    void joinedMembersFollowTheRoomsState() {
        String roomId = createRoom(RoomVersion.V12, "public_chat", List.of());
        assertThat(rooms.joinedMembers(store.room(roomId).orElseThrow())).containsExactly(ALICE);

        rooms.join(roomId, BOB, null);
        assertThat(rooms.joinedMembers(store.room(roomId).orElseThrow())).containsExactly(ALICE, BOB);
        message(roomId, BOB, "a message keeps the snapshot");
        assertThat(rooms.joinedMembers(store.room(roomId).orElseThrow())).containsExactly(ALICE, BOB);

        rooms.leave(roomId, BOB, null);
        assertThat(rooms.joinedMembers(store.room(roomId).orElseThrow())).containsExactly(ALICE);
    }
}
