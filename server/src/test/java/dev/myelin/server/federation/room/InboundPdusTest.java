package dev.myelin.server.federation.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.acl.ServerAcls;
import dev.myelin.server.federation.inbound.PduHandler;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.Json;
import dev.myelin.server.room.CreateRoomRequest;
import dev.myelin.server.room.RemoteEventIngest;
import dev.myelin.server.room.RoomCreation;
import dev.myelin.server.room.RoomService;
import dev.myelin.server.storage.RoomStore;
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

/** Inbound PDUs with gaps, filled from a scripted origin server: missing events, then the state at the gap. */
class InboundPdusTest extends StoreContractTest {
    private static final String ALICE = "@alice:test.local";

    private final FakeRemoteServer remote = new FakeRemoteServer("remote.test");
    private final String bob = remote.user("bob");
    private RoomService rooms;
    private RoomStore store;
    private RemoteEventIngest ingest;
    private String roomId;
    /** What the origin answers, by path prefix. */
    private final Map<String, JsonNode> answers = new HashMap<>();
    private final List<String> asked = new ArrayList<>();
    private InboundPdus inbound;

    @BeforeEach
    void wire() {
        store = new SqlRoomStore(database);
        rooms = new RoomService("test.local", SigningKey.generate("ed25519:l", new SecureRandom()), store,
                new InProcessNotifier(), Clock.systemUTC());
        ingest = new RemoteEventIngest(rooms, remote.keys(Map.of()));
        FederationClient client = new FederationClient() {
            @Override
            public JsonNode get(String destination, String path) throws FederationException {
                return answer(path);
            }

            @Override
            public JsonNode put(String destination, String path, JsonNode body) throws FederationException {
                return answer(path);
            }

            @Override
            public JsonNode post(String destination, String path, JsonNode body) throws FederationException {
                return answer(path);
            }
        };
        inbound = new InboundPdus(rooms, ingest, new RemoteRoomReader(client, ingest),
                new ServerAcls(rooms.store()));
        roomId = RoomCreation.create(rooms, ALICE, new CreateRoomRequest(RoomVersion.V12, false,
                Optional.of("public_chat"), Optional.of("Room"), Optional.empty(), List.of(), false,
                Json.MAPPER.createObjectNode(), List.of(), Optional.empty(), Optional.empty()));
        EncodedPdu join = next(bob, "m.room.member", bob, membership("join"), extremities(), depth());
        assertThat(handle(join).error()).isEmpty();
    }

    private JsonNode answer(String path) throws FederationException {
        asked.add(path);
        return answers.entrySet().stream().filter(e -> path.contains(e.getKey())).map(Map.Entry::getValue)
                .findFirst().orElseThrow(() -> new FederationException("remote.test", 404, Optional.empty(), path));
    }

    private List<String> extremities() {
        return store.forwardExtremities(store.room(roomId).orElseThrow().nid());
    }

    private long depth() {
        return extremities().stream().mapToLong(id -> store.event(id).orElseThrow().depth()).max().orElse(0);
    }

    private Map<StateKey, Pdu> current() {
        var state = new HashMap<StateKey, Pdu>();
        store.state(store.room(roomId).orElseThrow().currentSnapshot())
                .forEach((key, event) -> state.put(key, rooms.pdu(event, RoomVersion.V12)));
        return state;
    }

    private EncodedPdu next(String sender, String type, String stateKey, ObjectNode content, List<String> prev,
                            long depth) {
        return remote.event(RoomVersion.V12, roomId, sender, type, stateKey, content, prev, current(), depth);
    }

    private PduHandler.Outcome handle(EncodedPdu event) {
        return inbound.handle("remote.test", event.pdu().json().deepCopy());
    }

    private static ArrayNode array(EncodedPdu... events) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (EncodedPdu event : events) {
            array.add(event.pdu().json());
        }
        return array;
    }

    private boolean accepted(EncodedPdu event) {
        return store.event(event.eventId()).filter(e -> !e.outlier() && !e.rejected() && !e.softFailed())
                .isPresent();
    }

    @Test
    void aGapIsFilledFromGetMissingEvents() {
        EncodedPdu one = next(bob, "m.room.message", null, text("1"), extremities(), depth());
        EncodedPdu two = next(bob, "m.room.message", null, text("2"), List.of(one.eventId()), one.pdu().depth());
        EncodedPdu three = next(bob, "m.room.message", null, text("3"), List.of(two.eventId()), two.pdu().depth());
        answers.put("/get_missing_events/", Json.MAPPER.createObjectNode().set("events", array(two, one)));

        assertThat(handle(three).error()).isEmpty();

        assertThat(accepted(one) && accepted(two) && accepted(three)).isTrue();
        assertThat(extremities()).containsExactly(three.eventId());
        assertThat(asked).anyMatch(path -> path.contains("/get_missing_events/"));
    }

    @Test
    void aLargerGapIsBridgedWithTheStateBeforeTheEvent() {
        EncodedPdu one = next(bob, "m.room.message", null, text("1"), extremities(), depth());
        EncodedPdu two = next(bob, "m.room.message", null, text("2"), List.of(one.eventId()), one.pdu().depth());
        answers.put("/get_missing_events/", Json.MAPPER.createObjectNode().set("events", array()));
        ObjectNode stateIds = Json.MAPPER.createObjectNode();
        ArrayNode pduIds = stateIds.putArray("pdu_ids");
        current().values().forEach(pdu -> pduIds.add(pdu.eventId()));
        stateIds.putArray("auth_chain_ids");
        answers.put("/state_ids/", stateIds);

        assertThat(handle(two).error()).isEmpty();

        assertThat(accepted(two)).isTrue();
        assertThat(store.event(one.eventId())).isEmpty();
        assertThat(extremities()).contains(two.eventId());
    }

    @Test
    void anEventIsRejectedWhenTheStateItsServerGivesDoesNotAllowIt() {
        EncodedPdu one = next(bob, "m.room.message", null, text("1"), extremities(), depth());
        EncodedPdu two = next(bob, "m.room.message", null, text("2"), List.of(one.eventId()), one.pdu().depth());
        answers.put("/get_missing_events/", Json.MAPPER.createObjectNode().set("events", array()));
        // The origin leaves Bob's own join out of the state it gives: Bob may not speak in that state.
        ObjectNode stateIds = Json.MAPPER.createObjectNode();
        ArrayNode pduIds = stateIds.putArray("pdu_ids");
        current().forEach((key, pdu) -> {
            if (!key.equals(new StateKey("m.room.member", bob))) {
                pduIds.add(pdu.eventId());
            }
        });
        stateIds.putArray("auth_chain_ids");
        answers.put("/state_ids/", stateIds);

        assertThat(handle(two).error()).isPresent();
        assertThat(store.event(two.eventId()).orElseThrow().rejected()).isTrue();
    }

    @Test
    void unknownAuthEventsAreFetchedFromEventAuth() {
        // Bob's display name change, known to this server only through its auth chain.
        Map<StateKey, Pdu> state = current();
        EncodedPdu rename = remote.event(RoomVersion.V12, roomId, bob, "m.room.member", bob,
                membership("join").put("displayname", "Bob"), extremities(), state, depth());
        state.put(new StateKey("m.room.member", bob), rename.pdu());
        EncodedPdu message = remote.event(RoomVersion.V12, roomId, bob, "m.room.message", null, text("hi"),
                List.of(rename.eventId()), state, rename.pdu().depth());
        answers.put("/event_auth/", Json.MAPPER.createObjectNode().set("auth_chain", array(rename)));
        answers.put("/get_missing_events/", Json.MAPPER.createObjectNode().set("events", array(rename)));

        assertThat(handle(message).error()).isEmpty();
        assertThat(accepted(message)).isTrue();
        assertThat(accepted(rename)).isTrue();
    }

    @Test
    void aTransactionsPdusGetTheirOwnOutcomesInOrderAndAGapInItIsFilled() {
        EncodedPdu one = next(bob, "m.room.message", null, text("1"), extremities(), depth());
        EncodedPdu lost = next(bob, "m.room.message", null, text("lost"), List.of(one.eventId()), one.pdu().depth());
        EncodedPdu three = next(bob, "m.room.message", null, text("3"), List.of(lost.eventId()), lost.pdu().depth());
        EncodedPdu four = next(bob, "m.room.message", null, text("4"), List.of(three.eventId()), three.pdu().depth());
        EncodedPdu forged = new FakeRemoteServer("remote.test").event(RoomVersion.V12, roomId, bob,
                "m.room.message", null, text("forged"), List.of(one.eventId()), current(), one.pdu().depth());
        answers.put("/get_missing_events/", Json.MAPPER.createObjectNode().set("events", array(lost)));

        List<PduHandler.Outcome> outcomes = inbound.handleAll("remote.test", List.of(
                one.pdu().json().deepCopy(), forged.pdu().json().deepCopy(), three.pdu().json().deepCopy(),
                four.pdu().json().deepCopy()));

        assertThat(outcomes).extracting(PduHandler.Outcome::eventId)
                .containsExactly(one.eventId(), forged.eventId(), three.eventId(), four.eventId());
        assertThat(outcomes.get(1).error()).isPresent();
        assertThat(List.of(outcomes.get(0), outcomes.get(2), outcomes.get(3)))
                .allMatch(outcome -> outcome.error().isEmpty());
        assertThat(accepted(one) && accepted(lost) && accepted(three) && accepted(four)).isTrue();
        assertThat(store.event(forged.eventId())).isEmpty();
        assertThat(extremities()).containsExactly(four.eventId());
    }

    @Test
    void aTransactionsRoomsAreEachHandled() {
        String otherRoom = RoomCreation.create(rooms, ALICE, new CreateRoomRequest(RoomVersion.V12, false,
                Optional.of("public_chat"), Optional.of("Other"), Optional.empty(), List.of(), false,
                Json.MAPPER.createObjectNode(), List.of(), Optional.empty(), Optional.empty()));
        RoomStore.Room other = store.room(otherRoom).orElseThrow();
        var otherState = new HashMap<StateKey, Pdu>();
        store.state(other.currentSnapshot()).forEach((key, event) -> otherState.put(key, rooms.pdu(event,
                RoomVersion.V12)));
        List<String> otherExtremities = store.forwardExtremities(other.nid());
        EncodedPdu joinOther = remote.event(RoomVersion.V12, otherRoom, bob, "m.room.member", bob, membership("join"),
                otherExtremities, otherState, store.event(otherExtremities.getFirst()).orElseThrow().depth());
        EncodedPdu message = next(bob, "m.room.message", null, text("here"), extremities(), depth());

        List<PduHandler.Outcome> outcomes = inbound.handleAll("remote.test", List.of(
                joinOther.pdu().json().deepCopy(), message.pdu().json().deepCopy()));

        assertThat(outcomes).extracting(PduHandler.Outcome::eventId)
                .containsExactly(joinOther.eventId(), message.eventId());
        assertThat(outcomes).allMatch(outcome -> outcome.error().isEmpty());
        assertThat(accepted(joinOther) && accepted(message)).isTrue();
        assertThat(store.membership(otherRoom, bob).orElseThrow().membership()).isEqualTo("join");
    }

    @Test
    void aForgedOrForeignPduIsRefusedWithAnError() {
        var forger = new FakeRemoteServer("remote.test");
        EncodedPdu forged = forger.event(RoomVersion.V12, roomId, bob, "m.room.message", null, text("forged"),
                extremities(), current(), depth());
        assertThat(handle(forged).error()).isPresent();
        assertThat(store.event(forged.eventId())).isEmpty();

        ObjectNode unknownRoom = forged.pdu().json().deepCopy().put("room_id", "!nowhere:remote.test");
        assertThat(inbound.handle("remote.test", unknownRoom).error()).isPresent();
    }
}
