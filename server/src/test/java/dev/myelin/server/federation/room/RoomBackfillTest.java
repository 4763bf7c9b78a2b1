package dev.myelin.server.federation.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/**
 * Backfill from a scripted server: the room's DAG here has a hole before an event received with the state given
 * (as after a join), and {@code /backfill} fills it, or lies.
 */
class RoomBackfillTest extends StoreContractTest {
    private static final String ALICE = "@alice:test.local";

    private final FakeRemoteServer remote = new FakeRemoteServer("remote.test");
    private final String bob = remote.user("bob");
    private RoomService rooms;
    private RoomStore store;
    private RemoteEventIngest ingest;
    private RoomBackfill backfill;
    private String roomId;
    private final Map<String, JsonNode> answers = new HashMap<>();
    private final List<String> asked = new ArrayList<>();
    /** Events the room has that this server has not seen: the hole backfill fills. */
    private EncodedPdu one;
    private EncodedPdu two;
    private EncodedPdu three;

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
        RemoteRoomReader reader = new RemoteRoomReader(client, ingest);
        backfill = new RoomBackfill(rooms, ingest, reader,
                new ServerAccess(rooms, new dev.myelin.server.federation.acl.ServerAcls(rooms.store())));
        roomId = RoomCreation.create(rooms, ALICE, new CreateRoomRequest(RoomVersion.V12, false,
                Optional.of("public_chat"), Optional.of("Room"), Optional.empty(), List.of(), false,
                Json.MAPPER.createObjectNode(), List.of(), Optional.empty(), Optional.empty()));
        EncodedPdu join = next(bob, "m.room.member", bob, membership("join"), extremities(), depth());
        assertThat(ingest.accept(roomId, join, Optional.empty()))
                .isInstanceOf(RemoteEventIngest.Outcome.Accepted.class);
        one = next(bob, "m.room.message", null, text("1"), extremities(), depth());
        two = next(bob, "m.room.message", null, text("2"), List.of(one.eventId()), one.pdu().depth());
        three = next(bob, "m.room.message", null, text("3"), List.of(two.eventId()), two.pdu().depth());
        // Three arrives with the state before it, as a join's state comes: one and two are missing here.
        var state = new HashMap<StateKey, String>();
        current().forEach((key, pdu) -> state.put(key, pdu.eventId()));
        assertThat(ingest.accept(roomId, three, Optional.of(state)))
                .isInstanceOf(RemoteEventIngest.Outcome.Accepted.class);
    }

    private JsonNode answer(String path) throws FederationException {
        asked.add(path);
        return answers.entrySet().stream().filter(e -> path.contains(e.getKey())).map(Map.Entry::getValue)
                .findFirst().orElseThrow(() -> new FederationException("remote.test", 404, Optional.empty(), path));
    }

    private RoomStore.Room room() {
        return store.room(roomId).orElseThrow();
    }

    private List<String> extremities() {
        return store.forwardExtremities(room().nid());
    }

    private long depth() {
        return extremities().stream().mapToLong(id -> store.event(id).orElseThrow().depth()).max().orElse(0);
    }

    private Map<StateKey, Pdu> current() {
        var state = new HashMap<StateKey, Pdu>();
        store.state(room().currentSnapshot()).forEach((key, event) -> state.put(key, rooms.pdu(event, RoomVersion.V12)));
        return state;
    }

    private EncodedPdu next(String sender, String type, String stateKey, ObjectNode content, List<String> prev,
                            long depth) {
        return remote.event(RoomVersion.V12, roomId, sender, type, stateKey, content, prev, current(), depth);
    }

    private void backfillAnswers(EncodedPdu... events) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("origin", "remote.test");
        ArrayNode pdus = body.putArray("pdus");
        for (EncodedPdu event : events) {
            pdus.add(event.pdu().json());
        }
        answers.put("/backfill/", body);
    }

    private List<String> timeline() {
        return store.timeline(room().nid(), Long.MAX_VALUE, Long.MIN_VALUE, true, 100).stream()
                .map(RoomStore.StoredEvent::eventId).toList();
    }

    @Test
    void theHoleBeforeAnEventReceivedWithItsStateIsABackwardExtremity() {
        assertThat(store.backwardExtremities(room().nid())).containsExactly(two.eventId());
        assertThat(timeline()).startsWith(three.eventId()).doesNotContain(one.eventId(), two.eventId());
    }

    @Test
    void backfilledEventsAreStoredInOrderBeforeEverythingWithoutMovingTheForwardExtremities() {
        backfillAnswers(two, one);
        List<String> forward = extremities();
        long current = room().currentSnapshot();

        assertThat(backfill.backfill(roomId, 10)).isEqualTo(2);

        assertThat(asked).singleElement().satisfies(path -> assertThat(path)
                .contains("/backfill/").contains("v=" + RemoteRoomReader.segment(two.eventId())).contains("limit=10"));
        RoomStore.StoredEvent first = store.event(one.eventId()).orElseThrow();
        RoomStore.StoredEvent second = store.event(two.eventId()).orElseThrow();
        assertThat(first.outlier() || first.rejected() || second.outlier() || second.rejected()).isFalse();
        assertThat(first.streamPos()).isLessThan(second.streamPos());
        assertThat(second.streamPos()).isNegative();
        assertThat(timeline()).endsWith(two.eventId(), one.eventId());
        assertThat(extremities()).isEqualTo(forward);
        assertThat(room().currentSnapshot()).isEqualTo(current);
        assertThat(store.backwardExtremities(room().nid())).isEmpty();
        // Nothing left to fetch: no second request.
        assertThat(backfill.backfill(roomId, 10)).isZero();
        assertThat(asked).hasSize(1);
    }

    @Test
    void forgedAndUnauthorisedEventsInABackfillAreNotServed() {
        // Two signed with a key that is not remote.test's; one sent by a user who never joined.
        EncodedPdu forgedTwo = new FakeRemoteServer("remote.test").event(RoomVersion.V12, roomId, bob,
                "m.room.message", null, text("2"), List.of(one.eventId()), current(), one.pdu().depth());
        String eve = remote.user("eve");
        EncodedPdu byStranger = remote.event(RoomVersion.V12, roomId, eve, "m.room.message", null, text("hi"),
                List.of(one.eventId()), current(), one.pdu().depth());
        ObjectNode otherRoom = one.pdu().json().deepCopy();
        backfillAnswers(forgedTwo, byStranger);
        ObjectNode stateIds = Json.MAPPER.createObjectNode();
        ArrayNode pduIds = stateIds.putArray("pdu_ids");
        current().values().forEach(pdu -> pduIds.add(pdu.eventId()));
        stateIds.putArray("auth_chain_ids");
        answers.put("/state_ids/", stateIds);
        ((ArrayNode) answers.get("/backfill/").get("pdus")).add(otherRoom.put("room_id", "!elsewhere:remote.test"));

        assertThat(backfill.backfill(roomId, 10)).isZero();

        assertThat(store.event(forgedTwo.eventId())).isEmpty();
        assertThat(store.event(one.eventId())).isEmpty();
        assertThat(store.event(byStranger.eventId()).map(RoomStore.StoredEvent::rejected)).contains(true);
        assertThat(timeline()).doesNotContain(byStranger.eventId(), forgedTwo.eventId());
        assertThat(store.backwardExtremities(room().nid())).contains(two.eventId());
    }
}
