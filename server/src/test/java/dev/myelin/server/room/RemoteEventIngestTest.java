package dev.myelin.server.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.room.RemoteEventIngest.Outcome;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.storage.RoomStore.StoredEvent;
import dev.myelin.server.storage.StoreContractTest;
import dev.myelin.server.storage.sql.SqlRoomStore;
import dev.myelin.server.sync.InProcessNotifier;
import dev.myelin.server.testing.FakeRemoteServer;
import dev.myelin.spec.crypto.SigningKey;
import dev.myelin.spec.event.EncodedPdu;
import dev.myelin.spec.event.Pdu;
import dev.myelin.spec.event.RoomVersion;
import dev.myelin.spec.event.StateKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.myelin.server.testing.FakeRemoteServer.membership;
import static dev.myelin.server.testing.FakeRemoteServer.text;
import static org.assertj.core.api.Assertions.assertThat;

class RemoteEventIngestTest extends StoreContractTest {
    private static final String ALICE = "@alice:test.local";

    private final FakeRemoteServer remote = new FakeRemoteServer("remote.test");
    private final String bob = remote.user("bob");
    private RoomService rooms;
    private RoomStore store;
    private RemoteEventIngest ingest;
    private final List<String> announced = new ArrayList<>();
    private String roomId;

    @BeforeEach
    void wire() {
        store = new SqlRoomStore(database);
        SigningKey localKey = SigningKey.generate("ed25519:l", new SecureRandom());
        rooms = new RoomService("test.local", localKey, store, new InProcessNotifier(), Clock.systemUTC());
        rooms.addListener((room, events, local) -> events.forEach(e -> announced.add(e.eventId())));
        ingest = new RemoteEventIngest(rooms, remote.keys(Map.of("test.local", localKey.verifyKey())));
        roomId = RoomCreation.create(rooms, ALICE, new CreateRoomRequest(RoomVersion.V12, false,
                Optional.of("public_chat"), Optional.of("Room"), Optional.empty(), List.of(), false,
                Json.MAPPER.createObjectNode(), List.of(), Optional.empty(), Optional.empty()));
    }

    private RoomStore.Room room() {
        return store.room(roomId).orElseThrow();
    }

    private Map<StateKey, Pdu> current() {
        return state(room().currentSnapshot());
    }

    private Map<StateKey, Pdu> state(long snapshot) {
        var state = new HashMap<StateKey, Pdu>();
        store.state(snapshot).forEach((key, event) -> state.put(key, rooms.pdu(event, RoomVersion.V12)));
        return state;
    }

    private long depth() {
        return store.forwardExtremities(room().nid()).stream()
                .mapToLong(id -> store.event(id).orElseThrow().depth()).max().orElse(0);
    }

    /** A remote event on the room's current extremities, with auth events from its current state. */
    private EncodedPdu next(String sender, String type, String stateKey, ObjectNode content) {
        return remote.event(RoomVersion.V12, roomId, sender, type, stateKey, content,
                store.forwardExtremities(room().nid()), current(), depth());
    }

    private Outcome receive(EncodedPdu event) {
        return ingest.receive(roomId, event.bytes());
    }

    private String joinBob() {
        EncodedPdu join = next(bob, "m.room.member", bob, membership("join"));
        assertThat(receive(join)).isEqualTo(new Outcome.Accepted(join.eventId(), false));
        return join.eventId();
    }

    @Test
    void aRemoteJoinAndMessageAreAcceptedAndMoveTheStateAndExtremities() {
        String join = joinBob();
        assertThat(store.membership(roomId, bob).orElseThrow().membership()).isEqualTo("join");
        assertThat(current().get(new StateKey("m.room.member", bob)).eventId()).isEqualTo(join);

        EncodedPdu message = next(bob, "m.room.message", null, text("hi"));
        assertThat(receive(message)).isEqualTo(new Outcome.Accepted(message.eventId(), false));
        assertThat(store.forwardExtremities(room().nid())).containsExactly(message.eventId());
        assertThat(store.event(message.eventId()).orElseThrow().json()).isEqualTo(message.bytes());
        assertThat(announced).containsSubsequence(join, message.eventId());
        assertThat(receive(message)).isEqualTo(new Outcome.Duplicate(message.eventId()));

        // Local events now follow the remote ones.
        String reply = rooms.send(roomId, new RoomService.Draft(ALICE, "m.room.message", null, text("hello")),
                Optional.empty());
        assertThat(rooms.pdu(store.event(reply).orElseThrow(), RoomVersion.V12).prevEvents())
                .containsExactly(message.eventId());
    }

    /** A remote event after {@code prev}, authorized by {@code state}, as the next one of a transaction. */
    private EncodedPdu after(EncodedPdu prev, String sender, String type, String stateKey, ObjectNode content,
                             Map<StateKey, Pdu> state) {
        return remote.event(RoomVersion.V12, roomId, sender, type, stateKey, content, List.of(prev.eventId()), state,
                prev.pdu().depth());
    }

    private List<Outcome> acceptAll(EncodedPdu... events) {
        var verified = new ArrayList<EncodedPdu>();
        for (EncodedPdu event : events) {
            try {
                verified.add(ingest.verify(event.bytes(), RoomVersion.V12));
            } catch (RemoteEventIngest.DroppedException e) {
                throw new AssertionError(e);
            }
        }
        return ingest.acceptAll(roomId, verified);
    }

    @Test
    void aTransactionsEventsAreAcceptedInOrderAcrossAStateChange() {
        joinBob();
        EncodedPdu first = next(bob, "m.room.message", null, text("one"));
        EncodedPdu second = after(first, bob, "m.room.message", null, text("two"), current());
        EncodedPdu rename = after(second, bob, "m.room.member", bob, membership("join").put("displayname", "Bob"),
                current());
        Map<StateKey, Pdu> renamed = new HashMap<>(current());
        renamed.put(new StateKey("m.room.member", bob), rename.pdu());
        EncodedPdu third = after(rename, bob, "m.room.message", null, text("three"), renamed);

        assertThat(acceptAll(first, second, rename, third)).containsExactly(
                new Outcome.Accepted(first.eventId(), false), new Outcome.Accepted(second.eventId(), false),
                new Outcome.Accepted(rename.eventId(), false), new Outcome.Accepted(third.eventId(), false));
        assertThat(store.forwardExtremities(room().nid())).containsExactly(third.eventId());
        assertThat(current().get(new StateKey("m.room.member", bob)).eventId()).isEqualTo(rename.eventId());
        StoredEvent storedThird = store.event(third.eventId()).orElseThrow();
        assertThat(state(storedThird.stateBefore()).get(new StateKey("m.room.member", bob)).eventId())
                .isEqualTo(rename.eventId());
        assertThat(store.event(second.eventId()).orElseThrow().streamPos())
                .isGreaterThan(store.event(first.eventId()).orElseThrow().streamPos());
        assertThat(announced).containsSubsequence(first.eventId(), second.eventId(), rename.eventId(),
                third.eventId());
        assertThat(store.event(first.eventId()).orElseThrow().json()).isEqualTo(first.bytes());
    }

    @Test
    void aTransactionsDuplicatesAreAcceptedOnce() {
        joinBob();
        EncodedPdu first = next(bob, "m.room.message", null, text("one"));
        EncodedPdu second = after(first, bob, "m.room.message", null, text("two"), current());
        assertThat(acceptAll(first, first, second)).containsExactly(new Outcome.Accepted(first.eventId(), false),
                new Outcome.Duplicate(first.eventId()), new Outcome.Accepted(second.eventId(), false));
        assertThat(acceptAll(second)).containsExactly(new Outcome.Duplicate(second.eventId()));
        assertThat(announced.stream().filter(first.eventId()::equals)).hasSize(1);
    }

    @Test
    void aRejectedEventDoesNotStopTheRestOfATransaction() {
        joinBob();
        String carol = remote.user("carol");
        EncodedPdu first = next(bob, "m.room.message", null, text("one"));
        // Carol never joined: rejected, and no extremity.
        EncodedPdu intruder = after(first, carol, "m.room.message", null, text("let me in"), current());
        EncodedPdu second = after(first, bob, "m.room.message", null, text("two"), current());
        List<Outcome> outcomes = acceptAll(first, intruder, second);
        assertThat(outcomes.get(1)).isInstanceOf(Outcome.Rejected.class);
        assertThat(outcomes).containsExactly(new Outcome.Accepted(first.eventId(), false), outcomes.get(1),
                new Outcome.Accepted(second.eventId(), false));
        assertThat(store.forwardExtremities(room().nid())).containsExactly(second.eventId());
        assertThat(announced).doesNotContain(intruder.eventId());
    }

    @Test
    void aForkWithinATransactionLeavesBothExtremities() {
        joinBob();
        EncodedPdu first = next(bob, "m.room.message", null, text("one"));
        EncodedPdu left = after(first, bob, "m.room.message", null, text("left"), current());
        EncodedPdu right = after(first, bob, "m.room.message", null, text("right"), current());
        assertThat(acceptAll(first, left, right)).allMatch(Outcome.Accepted.class::isInstance);
        assertThat(store.forwardExtremities(room().nid())).containsExactlyInAnyOrder(left.eventId(),
                right.eventId());
    }

    @Test
    void aTransactionStopsAfterAnEventWhosePrevEventsAreMissing() {
        joinBob();
        EncodedPdu unknown = next(bob, "m.room.message", null, text("never sent"));
        EncodedPdu orphan = after(unknown, bob, "m.room.message", null, text("orphan"), current());
        EncodedPdu next = after(orphan, bob, "m.room.message", null, text("next"), current());
        assertThat(acceptAll(orphan, next)).containsExactly(new Outcome.Missing(orphan.eventId(),
                List.of(unknown.eventId()), List.of()));
        assertThat(store.event(next.eventId())).isEmpty();
    }

    @Test
    void anEventSignedWithAnUnknownKeyIsDropped() {
        var forger = new FakeRemoteServer("remote.test");
        EncodedPdu forged = forger.event(RoomVersion.V12, roomId, bob, "m.room.member", bob, membership("join"),
                store.forwardExtremities(room().nid()), current(), depth());
        assertThat(receive(forged)).isInstanceOf(Outcome.Dropped.class);
        assertThat(store.event(forged.eventId())).isEmpty();
    }

    @Test
    void anEventOfAnotherServersUserIsDropped() {
        EncodedPdu join = next("@mallory:elsewhere.test", "m.room.member", "@mallory:elsewhere.test",
                membership("join"));
        assertThat(receive(join)).isInstanceOf(Outcome.Dropped.class);
    }

    @Test
    void malformedJsonIsDropped() {
        assertThat(ingest.receive(roomId, "{\"type\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(Outcome.Dropped.class);
    }

    @Test
    void anEventWhoseContentHashIsWrongIsKeptRedacted() throws Exception {
        joinBob();
        EncodedPdu message = next(bob, "m.room.message", null, text("original"));
        ObjectNode tampered = (ObjectNode) Json.MAPPER.readTree(message.bytes());
        ((ObjectNode) tampered.get("content")).put("body", "tampered");
        Outcome outcome = ingest.receive(roomId, Json.MAPPER.writeValueAsBytes(tampered));
        assertThat(outcome).isEqualTo(new Outcome.Accepted(message.eventId(), false));
        Pdu stored = rooms.pdu(store.event(message.eventId()).orElseThrow(), RoomVersion.V12);
        assertThat(stored.content().isEmpty()).isTrue();
    }

    @Test
    void anEventThatFailsAuthorizationIsRejectedAndNotShown() {
        // Bob never joined: his message fails against its auth events and the state before it.
        EncodedPdu message = next(bob, "m.room.message", null, text("let me in"));
        assertThat(receive(message)).isInstanceOf(Outcome.Rejected.class);
        StoredEvent stored = store.event(message.eventId()).orElseThrow();
        assertThat(stored.rejected()).isTrue();
        assertThat(store.forwardExtremities(room().nid())).doesNotContain(message.eventId());
        assertThat(announced).doesNotContain(message.eventId());
    }

    @Test
    void anEventCitingTheWrongAuthEventsIsRejected() {
        joinBob();
        // Power levels cited by a message are fine; citing the join rules is not selected for a message.
        Map<StateKey, Pdu> state = current();
        EncodedPdu message = remote.event(RoomVersion.V12, roomId, bob, "m.room.member", bob, membership("join"),
                store.forwardExtremities(room().nid()), state, depth());
        ObjectNode json = message.pdu().json().deepCopy();
        json.withArray("auth_events").add(state.get(new StateKey("m.room.history_visibility", "")).eventId());
        EncodedPdu resigned = reSign(json);
        assertThat(receive(resigned)).isInstanceOf(Outcome.Rejected.class);
    }

    private EncodedPdu reSign(ObjectNode json) {
        json.remove("signatures");
        json.remove("hashes");
        json.remove("unsigned");
        return new dev.myelin.spec.event.LocalEventFactory(remote.name(), remote.key()).create(json, RoomVersion.V12);
    }

    @Test
    void anEventAllowedByTheStateBeforeItButNotTheCurrentStateIsSoftFailed() {
        joinBob();
        List<String> beforeBan = store.forwardExtremities(room().nid());
        Map<StateKey, Pdu> stateBeforeBan = current();
        long depth = depth();
        rooms.ban(roomId, ALICE, bob, "spam");
        EncodedPdu late = remote.event(RoomVersion.V12, roomId, bob, "m.room.message", null, text("sneaky"),
                beforeBan, stateBeforeBan, depth);
        assertThat(receive(late)).isEqualTo(new Outcome.Accepted(late.eventId(), true));
        assertThat(store.event(late.eventId()).orElseThrow().softFailed()).isTrue();
        assertThat(store.forwardExtremities(room().nid())).doesNotContain(late.eventId());
        assertThat(announced).doesNotContain(late.eventId());
        assertThat(store.membership(roomId, bob).orElseThrow().membership()).isEqualTo("ban");
    }

    @Test
    void aForkIsMergedByStateResolution() {
        joinBob();
        List<String> forkPoint = store.forwardExtremities(room().nid());
        Map<StateKey, Pdu> forkState = current();
        long depth = depth();
        // Locally, Alice changes the topic; remotely, at the same time, Bob sends a message.
        rooms.send(roomId, new RoomService.Draft(ALICE, "m.room.topic", "",
                Json.MAPPER.createObjectNode().put("topic", "local")), Optional.empty());
        EncodedPdu remoteMessage = remote.event(RoomVersion.V12, roomId, bob, "m.room.message", null, text("fork"),
                forkPoint, forkState, depth);
        assertThat(receive(remoteMessage)).isEqualTo(new Outcome.Accepted(remoteMessage.eventId(), false));
        assertThat(store.forwardExtremities(room().nid())).hasSize(2).contains(remoteMessage.eventId());
        assertThat(current().get(new StateKey("m.room.topic", "")).content().path("topic").asText())
                .isEqualTo("local");

        // Bob's next event joins both forks; the state before it is resolved over both.
        EncodedPdu merge = next(bob, "m.room.name", "", Json.MAPPER.createObjectNode().put("name", "x"));
        assertThat(receive(merge)).isInstanceOf(Outcome.Rejected.class); // Bob has no power to name the room
        EncodedPdu mergeMessage = next(bob, "m.room.message", null, text("merged"));
        assertThat(receive(mergeMessage)).isEqualTo(new Outcome.Accepted(mergeMessage.eventId(), false));
        assertThat(store.forwardExtremities(room().nid())).containsExactly(mergeMessage.eventId());
        StoredEvent stored = store.event(mergeMessage.eventId()).orElseThrow();
        assertThat(state(stored.stateBefore()).get(new StateKey("m.room.topic", "")).content().path("topic")
                .asText()).isEqualTo("local");
    }

    @Test
    void aRemoteStateEventOnAForkChangesTheCurrentStateThroughResolution() {
        joinBob();
        List<String> forkPoint = store.forwardExtremities(room().nid());
        Map<StateKey, Pdu> forkState = current();
        long depth = depth();
        rooms.send(roomId, new RoomService.Draft(ALICE, "m.room.message", null, text("meanwhile")), Optional.empty());
        EncodedPdu leave = remote.event(RoomVersion.V12, roomId, bob, "m.room.member", bob, membership("leave"),
                forkPoint, forkState, depth);
        assertThat(receive(leave)).isEqualTo(new Outcome.Accepted(leave.eventId(), false));
        assertThat(current().get(new StateKey("m.room.member", bob)).eventId()).isEqualTo(leave.eventId());
        assertThat(store.membership(roomId, bob).orElseThrow().membership()).isEqualTo("leave");
    }

    @Test
    void missingPrevAndAuthEventsAreReported() {
        joinBob();
        EncodedPdu skipped = next(bob, "m.room.message", null, text("one"));
        EncodedPdu after = remote.event(RoomVersion.V12, roomId, bob, "m.room.message", null, text("two"),
                List.of(skipped.eventId()), current(), depth() + 1);
        assertThat(receive(after)).isEqualTo(new Outcome.Missing(after.eventId(), List.of(skipped.eventId()),
                List.of()));
        assertThat(receive(skipped)).isInstanceOf(Outcome.Accepted.class);
        assertThat(receive(after)).isInstanceOf(Outcome.Accepted.class);
    }

    @Test
    void aGapIsBridgedWithTheStateGivenByAnotherServer() throws Exception {
        joinBob();
        EncodedPdu unknownPrev = next(bob, "m.room.message", null, text("lost"));
        EncodedPdu after = remote.event(RoomVersion.V12, roomId, bob, "m.room.message", null, text("found"),
                List.of(unknownPrev.eventId()), current(), depth() + 1);
        Map<StateKey, String> stateIds = RemoteEventIngest.ids(store.state(room().currentSnapshot()));
        EncodedPdu verified = ingest.verify(after.bytes(), RoomVersion.V12);
        assertThat(ingest.accept(roomId, verified, Optional.of(stateIds))).isInstanceOf(Outcome.Accepted.class);
        assertThat(store.forwardExtremities(room().nid())).contains(after.eventId());
    }

    @Test
    void outliersAreStoredAfterTheirAuthEventsAndNeverInTheTimeline() {
        String join = joinBob();
        EncodedPdu topic = next(bob, "m.room.message", null, text("outlier"));
        assertThat(ingest.storeOutliers(roomId, RoomVersion.V12, ALICE, List.of(topic))).isEmpty();
        StoredEvent stored = store.event(topic.eventId()).orElseThrow();
        assertThat(stored.outlier()).isTrue();
        assertThat(store.timeline(room().nid(), Long.MAX_VALUE, 0, true, 100))
                .extracting(StoredEvent::eventId).doesNotContain(topic.eventId()).contains(join);
        // Received later in the DAG, it takes its place there.
        assertThat(receive(topic)).isEqualTo(new Outcome.Accepted(topic.eventId(), false));
        assertThat(store.event(topic.eventId()).orElseThrow().outlier()).isFalse();
        assertThat(store.timeline(room().nid(), Long.MAX_VALUE, 0, true, 100))
                .extracting(StoredEvent::eventId).contains(topic.eventId());
    }
}
