package dev.myelin.server.federation.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.transport.FederationClient;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.Json;
import dev.myelin.server.room.RemoteEventIngest;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.myelin.server.testing.FakeRemoteServer.membership;
import static dev.myelin.server.testing.FakeRemoteServer.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A join of a room on a scripted server that answers send_join with partial state (MSC3706): the room is usable at
 * once, events of members this server does not know yet are accepted, and the resync (resumed after a restart)
 * completes the member list.
 */
class PartialStateJoinTest extends StoreContractTest {
    private static final String ZOE = "@zoe:test.local";
    private static final String ROOM = "!big:remote.test";

    private final FakeRemoteServer remote = new FakeRemoteServer("remote.test");
    private final String bob = remote.user("bob");
    private final String carol = remote.user("carol");
    private final String dave = remote.user("dave");
    private final SigningKey localKey = SigningKey.generate("ed25519:l", new SecureRandom());
    private final Map<String, JsonNode> answers = new HashMap<>();
    private final List<String> asked = new CopyOnWriteArrayList<>();
    /** The room as the remote server has it. */
    private final Map<StateKey, Pdu> state = new LinkedHashMap<>();
    private final Map<String, EncodedPdu> events = new HashMap<>();
    private String last;
    private long depth;
    private Wired wired;

    /** This server's side, built again on a restart. */
    private record Wired(RoomService rooms, RoomStore store, RemoteEventIngest ingest, PartialStateResync resync,
                         RemoteMemberships memberships) {}

    @BeforeEach
    void buildRoom() {
        add(bob, "m.room.create", "", Json.MAPPER.createObjectNode().put("room_version", "11"));
        add(bob, "m.room.member", bob, membership("join"));
        ObjectNode powers = Json.MAPPER.createObjectNode();
        powers.putObject("users").put(bob, 100);
        add(bob, "m.room.power_levels", "", powers);
        add(bob, "m.room.join_rules", "", Json.MAPPER.createObjectNode().put("join_rule", "public"));
        add(bob, "m.room.name", "", Json.MAPPER.createObjectNode().put("name", "Big"));
        add(carol, "m.room.member", carol, membership("join"));
        add(dave, "m.room.member", dave, membership("join"));
        wired = wire();
    }

    @AfterEach
    void stopResync() {
        wired.resync().close();
    }

    private void add(String sender, String type, String stateKey, ObjectNode content) {
        EncodedPdu event = remote.event(RoomVersion.V11, ROOM, sender, type, stateKey, content,
                last == null ? List.of() : List.of(last), state, depth);
        depth = event.pdu().depth();
        last = event.eventId();
        events.put(event.eventId(), event);
        if (stateKey != null) {
            state.put(new StateKey(type, stateKey), event.pdu());
        }
    }

    private Wired wire() {
        RoomStore store = new SqlRoomStore(database);
        RoomService rooms = new RoomService("test.local", localKey, store, new InProcessNotifier(),
                Clock.systemUTC());
        RemoteEventIngest ingest = new RemoteEventIngest(rooms, remote.keys(Map.of()));
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
        var reader = new RemoteRoomReader(client, ingest);
        var resync = new PartialStateResync(rooms, ingest, reader);
        return new Wired(rooms, store, ingest, resync, new RemoteMemberships(rooms, ingest, reader, client, localKey,
                resync));
    }

    private JsonNode answer(String path) throws FederationException {
        asked.add(path);
        return answers.entrySet().stream().filter(e -> path.contains(e.getKey())).map(Map.Entry::getValue)
                .findFirst().orElseThrow(() -> new FederationException("remote.test", 404, Optional.empty(), path));
    }

    private static ArrayNode array(List<Pdu> pdus) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        pdus.forEach(pdu -> array.add(pdu.json()));
        return array;
    }

    /** make_join and a send_join answer without carol's and dave's member events. */
    private void answerJoinWithPartialState() {
        ObjectNode template = Json.MAPPER.createObjectNode().put("type", "m.room.member").put("sender", ZOE)
                .put("state_key", ZOE).put("room_id", ROOM).put("origin_server_ts", System.currentTimeMillis())
                .put("depth", depth + 1);
        template.set("content", membership("join"));
        template.putArray("prev_events").add(last);
        ArrayNode auth = template.putArray("auth_events");
        for (String type : List.of("m.room.create", "m.room.power_levels", "m.room.join_rules")) {
            auth.add(state.get(new StateKey(type, "")).eventId());
        }
        ObjectNode made = Json.MAPPER.createObjectNode().put("room_version", "11");
        made.set("event", template);
        answers.put("/make_join/", made);
        var partial = new ArrayList<Pdu>();
        state.forEach((key, pdu) -> {
            if (!key.type().equals("m.room.member") || key.stateKey().equals(bob)) {
                partial.add(pdu);
            }
        });
        ObjectNode sent = Json.MAPPER.createObjectNode().put("members_omitted", true).put("origin", "remote.test");
        sent.set("state", array(partial));
        sent.putArray("auth_chain");
        sent.putArray("servers_in_room").add("remote.test");
        answers.put("/send_join/", sent);
    }

    /** What /state_ids and /event answer for the state before the join and its auth chain. */
    private void answerResync() {
        ObjectNode ids = Json.MAPPER.createObjectNode();
        ArrayNode pduIds = ids.putArray("pdu_ids");
        state.values().forEach(pdu -> pduIds.add(pdu.eventId()));
        // The auth chain: every other event of the room here (a ban's auth events include the member it bans).
        ArrayNode authChainIds = ids.putArray("auth_chain_ids");
        events.keySet().stream().filter(id -> state.values().stream().noneMatch(pdu -> pdu.eventId().equals(id)))
                .forEach(authChainIds::add);
        answers.put("/state_ids/", ids);
        events.forEach((id, event) -> answers.put("/event/" + RemoteRoomReader.segment(id),
                Json.MAPPER.createObjectNode().set("pdus", Json.MAPPER.createArrayNode().add(event.pdu().json()))));
    }

    private String membershipOf(String userId) {
        return wired.store().membership(ROOM, userId).map(RoomStore.Membership::membership).orElse("none");
    }

    private boolean partial() {
        return wired.store().room(ROOM).orElseThrow().partialState();
    }

    @Test
    void aPartialStateJoinIsUsableAtOnceAndTheResyncResumedAfterARestartCompletesTheMembers() throws Exception {
        answerJoinWithPartialState();

        wired.memberships().join(ROOM, ZOE, List.of("remote.test"), null);

        assertThat(asked).anyMatch(path -> path.contains("/send_join/") && path.endsWith("?omit_members=true"));
        assertThat(partial()).isTrue();
        assertThat(wired.store().partialStateServers(ROOM)).containsExactly("remote.test");
        assertThat(membershipOf(ZOE)).isEqualTo("join");
        assertThat(membershipOf(carol)).isEqualTo("none");
        // Zoe talks at once.
        String sent = wired.rooms().send(ROOM, new RoomService.Draft(ZOE, "m.room.message", null, text("hi")),
                Optional.empty());
        assertThat(wired.store().event(sent)).isPresent();
        // Carol, whose membership this server does not have, speaks: accepted on her auth events.
        Map<StateKey, Pdu> now = new HashMap<>(state);
        now.put(new StateKey("m.room.member", ZOE), wired.rooms().pdu(wired.store().event(
                wired.store().membership(ROOM, ZOE).orElseThrow().eventNid()).orElseThrow(), RoomVersion.V11));
        EncodedPdu fromCarol = remote.event(RoomVersion.V11, ROOM, carol, "m.room.message", null, text("hello"),
                List.of(sent), now, wired.store().event(sent).orElseThrow().depth());
        wired.ingest().storeOutliers(ROOM, RoomVersion.V11, bob,
                List.of(events.get(state.get(new StateKey("m.room.member", carol)).eventId())));
        assertThat(wired.ingest().accept(ROOM, fromCarol, Optional.empty()))
                .isEqualTo(new RemoteEventIngest.Outcome.Accepted(fromCarol.eventId(), false));
        // The resync cannot reach the state yet (404): the room stays partial.
        assertThat(wired.resync().resync(ROOM)).isFalse();
        assertThat(partial()).isTrue();

        // Restart: the resync resumes and completes.
        wired.resync().close();
        reopen();
        answerResync();
        wired = wire();
        wired.resync().resumeAll();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (partial() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }

        assertThat(partial()).isFalse();
        assertThat(wired.store().partialStateServers(ROOM)).isEmpty();
        assertThat(membershipOf(carol)).isEqualTo("join");
        assertThat(membershipOf(dave)).isEqualTo("join");
        assertThat(membershipOf(ZOE)).isEqualTo("join");
        assertThat(wired.store().members(ROOM, "join")).hasSize(4);
        // The state at the events since the join is completed too: later events are checked against it.
        long atCarols = wired.store().event(fromCarol.eventId()).orElseThrow().stateBefore();
        assertThat(wired.store().state(atCarols)).containsKeys(new StateKey("m.room.member", dave),
                new StateKey("m.room.member", ZOE));
        assertThat(asked).anyMatch(path -> path.contains("/state_ids/"));
    }

    @Test
    void anEventAcceptedOnThePartialStateThatTheFullStateForbidsIsRejectedByTheResync() {
        add(bob, "m.room.member", carol, membership("ban"));
        answerJoinWithPartialState();
        wired.memberships().join(ROOM, ZOE, List.of("remote.test"), null);
        assertThat(partial()).isTrue();

        // Carol's server sends her join with auth events that leave out her ban, which the partial state lacks too:
        // checks 4 and 5 pass on what this server knows.
        String zoesJoin = wired.store().event(wired.store().membership(ROOM, ZOE).orElseThrow().eventNid())
                .orElseThrow().eventId();
        Map<StateKey, Pdu> withoutBan = new HashMap<>(state);
        withoutBan.remove(new StateKey("m.room.member", carol));
        EncodedPdu carolsJoin = remote.event(RoomVersion.V11, ROOM, carol, "m.room.member", carol,
                membership("join"), List.of(zoesJoin), withoutBan, wired.store().event(zoesJoin).orElseThrow().depth());
        assertThat(wired.ingest().accept(ROOM, carolsJoin, Optional.empty()))
                .isEqualTo(new RemoteEventIngest.Outcome.Accepted(carolsJoin.eventId(), false));
        assertThat(membershipOf(carol)).isEqualTo("join");
        // Zoe talks after it: her message stays, on a state that no longer has Carol joined.
        String after = wired.rooms().send(ROOM, new RoomService.Draft(ZOE, "m.room.message", null, text("hi")),
                Optional.empty());
        // Then a message of Carol's authorised by her join from before the ban (the partial state has no entry for
        // her, so her auth events stand in): the room's only extremity for now.
        EncodedPdu oldJoin = events.values().stream().filter(e -> e.pdu().type().equals("m.room.member")
                && carol.equals(e.pdu().stateKey()) && e.pdu().content().path("membership").asText().equals("join"))
                .findFirst().orElseThrow();
        wired.ingest().storeOutliers(ROOM, RoomVersion.V11, bob, List.of(oldJoin));
        Map<StateKey, Pdu> beforeBan = new HashMap<>(withoutBan);
        beforeBan.put(new StateKey("m.room.member", carol), oldJoin.pdu());
        EncodedPdu carolsMessage = remote.event(RoomVersion.V11, ROOM, carol, "m.room.message", null,
                text("sneaky"), List.of(after), beforeBan, wired.store().event(after).orElseThrow().depth());
        assertThat(wired.ingest().accept(ROOM, carolsMessage, Optional.empty()))
                .isEqualTo(new RemoteEventIngest.Outcome.Accepted(carolsMessage.eventId(), false));
        assertThat(wired.store().forwardExtremities(wired.store().room(ROOM).orElseThrow().nid()))
                .containsExactly(carolsMessage.eventId());

        answerResync();
        assertThat(wired.resync().resync(ROOM)).isTrue();

        assertThat(partial()).isFalse();
        RoomStore.StoredEvent rejected = wired.store().event(carolsJoin.eventId()).orElseThrow();
        assertThat(rejected.rejected()).isTrue();
        String ban = state.get(new StateKey("m.room.member", carol)).eventId();
        StateKey carolsKey = new StateKey("m.room.member", carol);
        long current = wired.store().room(ROOM).orElseThrow().currentSnapshot();
        assertThat(wired.store().state(current).get(carolsKey).eventId()).isEqualTo(ban);
        assertThat(membershipOf(carol)).isEqualTo("ban");
        assertThat(wired.store().members(ROOM, "join")).hasSize(3);
        RoomStore.StoredEvent message = wired.store().event(after).orElseThrow();
        assertThat(message.rejected()).isFalse();
        assertThat(wired.store().state(message.stateBefore()).get(carolsKey).eventId()).isEqualTo(ban);
        assertThat(wired.store().event(carolsMessage.eventId()).orElseThrow().rejected()).isTrue();
        // Carol's message was the only extremity: its prev event takes its place.
        assertThat(wired.store().forwardExtremities(rejected.roomNid())).containsExactly(after);
        // And the next event from Carol is refused on the full state.
        EncodedPdu again = remote.event(RoomVersion.V11, ROOM, carol, "m.room.message", null, text("still here"),
                List.of(after), withoutBan, message.depth());
        assertThat(wired.ingest().accept(ROOM, again, Optional.empty()))
                .isInstanceOf(RemoteEventIngest.Outcome.Rejected.class);
    }
}
