package dev.myelin.server.federation.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.storage.RoomStore;
import dev.myelin.server.testing.FederatedTestServer;
import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestClient.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static dev.myelin.server.federation.room.RemoteRoomReader.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two Myelin servers sharing rooms over TLS on loopback, one on SQLite and one on PostgreSQL: joins through the
 * resident server, messages both ways through transactions, leaves, and the resident read endpoints.
 */
class RoomFederationHttpTest {
    private static final String V3 = "/_matrix/client/v3";
    private static final AtomicInteger USERS = new AtomicInteger();
    private static final AtomicInteger TXN = new AtomicInteger();
    static FederatedTestServer a;
    static FederatedTestServer b;

    @BeforeAll
    static void start() throws Exception {
        a = FederatedTestServer.start(Backend.SQLITE, "registration.mode=open");
        b = FederatedTestServer.start(Backend.POSTGRES, "registration.mode=open");
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    record User(String id, String token, TestClient client) {}

    static User register(FederatedTestServer server) {
        TestClient client = server.server().client();
        String body = "{\"username\":\"u" + USERS.incrementAndGet() + "\",\"password\":\"correct horse battery\"";
        Reply first = client.request("POST", V3 + "/register", body + "}");
        String session = first.json().path("session").asText();
        Reply done = client.request("POST", V3 + "/register",
                body + ",\"auth\":{\"type\":\"m.login.dummy\",\"session\":\"" + session + "\"}}");
        assertThat(done.status()).as(done.body()).isEqualTo(200);
        return new User(done.json().path("user_id").asText(), done.json().path("access_token").asText(), client);
    }

    static JsonNode ok(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    static String createRoom(User user, String preset) {
        return ok(user.client().request("POST", V3 + "/createRoom",
                "{\"preset\":\"" + preset + "\",\"name\":\"Federated\"}", user.token())).path("room_id").asText();
    }

    static String send(User user, String roomId, String body) {
        return ok(user.client().request("PUT", V3 + "/rooms/" + segment(roomId) + "/send/m.room.message/t"
                + TXN.incrementAndGet(), "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}", user.token()))
                .path("event_id").asText();
    }

    static boolean hasEvent(FederatedTestServer server, String eventId) {
        return server.server().homeserver().rooms().service().store().event(eventId)
                .filter(e -> !e.outlier() && !e.rejected() && !e.softFailed()).isPresent();
    }

    static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    static String membership(FederatedTestServer server, String roomId, String userId) {
        return server.server().homeserver().rooms().service().store().membership(roomId, userId)
                .map(RoomStore.Membership::membership).orElse("none");
    }

    @Test
    void aUserJoinsARoomOnAnotherServerAndTheyChatBothWays() throws Exception {
        User alice = register(a);
        User bob = register(b);
        String roomId = createRoom(alice, "public_chat");

        ok(bob.client().request("POST", V3 + "/join/" + segment(roomId) + "?server_name=" + segment(a.serverName()),
                "{}", bob.token()));

        assertThat(membership(a, roomId, bob.id())).isEqualTo("join");
        assertThat(membership(b, roomId, bob.id())).isEqualTo("join");
        // Joined with partial state (MSC3706): Alice's membership arrives with the resync.
        eventually(() -> "join".equals(membership(b, roomId, alice.id())), "alice's membership at b");
        JsonNode state = ok(bob.client().get(V3 + "/rooms/" + segment(roomId) + "/state/m.room.name", bob.token()));
        assertThat(state.path("name").asText()).isEqualTo("Federated");

        String fromAlice = send(alice, roomId, "hello from a");
        eventually(() -> hasEvent(b, fromAlice), "alice's message at b");
        String fromBob = send(bob, roomId, "hello from b");
        eventually(() -> hasEvent(a, fromBob), "bob's message at a");

        JsonNode messages = ok(bob.client().get(V3 + "/rooms/" + segment(roomId) + "/messages?dir=b&limit=5",
                bob.token()));
        assertThat(messages.path("chunk").findValuesAsText("event_id")).contains(fromAlice, fromBob);

        ok(bob.client().request("POST", V3 + "/rooms/" + segment(roomId) + "/leave", "{}", bob.token()));
        eventually(() -> "leave".equals(membership(a, roomId, bob.id())), "bob's leave at a");
    }

    @Test
    void theResidentServerServesStateEventsAndHistoryToServersInTheRoom() throws Exception {
        User alice = register(a);
        User bob = register(b);
        String roomId = createRoom(alice, "public_chat");
        ok(bob.client().request("POST", V3 + "/join/" + segment(roomId) + "?via=" + segment(a.serverName()),
                "{}", bob.token()));
        String message = send(alice, roomId, "history");
        var client = b.federation().client();
        String room = segment(roomId);

        JsonNode event = client.get(a.serverName(), "/_matrix/federation/v1/event/" + segment(message));
        assertThat(event.path("pdus").get(0).path("content").path("body").asText()).isEqualTo("history");

        JsonNode stateIds = client.get(a.serverName(), "/_matrix/federation/v1/state_ids/" + room + "?event_id="
                + segment(message));
        assertThat(stateIds.path("pdu_ids").size()).isGreaterThanOrEqualTo(6);
        assertThat(stateIds.path("auth_chain_ids").isArray()).isTrue();
        JsonNode fullState = client.get(a.serverName(), "/_matrix/federation/v1/state/" + room + "?event_id="
                + segment(message));
        assertThat(fullState.path("pdus").size()).isEqualTo(stateIds.path("pdu_ids").size());

        JsonNode auth = client.get(a.serverName(), "/_matrix/federation/v1/event_auth/" + room + "/"
                + segment(message));
        assertThat(auth.path("auth_chain").size()).isGreaterThanOrEqualTo(3);

        JsonNode backfill = client.get(a.serverName(), "/_matrix/federation/v1/backfill/" + room + "?v="
                + segment(message) + "&limit=3");
        assertThat(backfill.path("pdus").size()).isEqualTo(3);
        assertThat(backfill.path("pdus").get(0).path("content").path("body").asText()).isEqualTo("history");

        ObjectNode missingRequest = Json.MAPPER.createObjectNode();
        missingRequest.putArray("earliest_events");
        missingRequest.putArray("latest_events").add(message);
        missingRequest.put("limit", 2);
        JsonNode missing = client.post(a.serverName(), "/_matrix/federation/v1/get_missing_events/" + room,
                missingRequest);
        assertThat(missing.path("events").size()).isEqualTo(2);

        JsonNode closest = client.get(a.serverName(), "/_matrix/federation/v1/timestamp_to_event/" + room
                + "?ts=" + System.currentTimeMillis() + "&dir=b");
        assertThat(closest.path("event_id").asText()).isEqualTo(message);
    }

    @Test
    void serversNotInTheRoomAreRefused() throws Exception {
        User alice = register(a);
        String roomId = createRoom(alice, "private_chat");
        String message = send(alice, roomId, "secret");
        var client = b.federation().client();

        assertThatThrownBy(() -> client.get(a.serverName(), "/_matrix/federation/v1/state_ids/" + segment(roomId)
                + "?event_id=" + segment(message)))
                .isInstanceOfSatisfying(FederationException.class, e -> assertThat(e.status()).isEqualTo(403));
        assertThatThrownBy(() -> client.get(a.serverName(), "/_matrix/federation/v1/event/" + segment(message)))
                .isInstanceOfSatisfying(FederationException.class, e -> assertThat(e.status()).isEqualTo(403));
        // A private room cannot be joined without an invite.
        User bob = register(b);
        Reply refused = bob.client().request("POST", V3 + "/join/" + segment(roomId) + "?server_name="
                + segment(a.serverName()), "{}", bob.token());
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.errcode()).isEqualTo("M_FORBIDDEN");
    }

    @Test
    void makeJoinNamesTheRoomVersionTheJoiningServerLacks() throws Exception {
        User alice = register(a);
        String roomId = createRoom(alice, "public_chat");
        var client = b.federation().client();
        String user = "@x:" + b.serverName();

        assertThatThrownBy(() -> client.get(a.serverName(), "/_matrix/federation/v1/make_join/" + segment(roomId)
                + "/" + segment(user) + "?ver=1&ver=2"))
                .isInstanceOfSatisfying(FederationException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.errcode()).contains("M_INCOMPATIBLE_ROOM_VERSION");
                });
        JsonNode template = client.get(a.serverName(), "/_matrix/federation/v1/make_join/" + segment(roomId)
                + "/" + segment(user) + "?ver=12");
        assertThat(template.path("room_version").asText()).isEqualTo("12");
        assertThat(template.path("event").path("content").path("membership").asText()).isEqualTo("join");
        // Only for the origin's own users.
        assertThatThrownBy(() -> client.get(a.serverName(), "/_matrix/federation/v1/make_join/" + segment(roomId)
                + "/" + segment("@x:elsewhere.test") + "?ver=12"))
                .isInstanceOfSatisfying(FederationException.class, e -> assertThat(e.status()).isEqualTo(403));
    }

    @Test
    void sendJoinRefusesAForgedEvent() throws Exception {
        User alice = register(a);
        String roomId = createRoom(alice, "public_chat");
        var client = b.federation().client();
        String user = "@x:" + b.serverName();
        JsonNode template = client.get(a.serverName(), "/_matrix/federation/v1/make_join/" + segment(roomId)
                + "/" + segment(user) + "?ver=12");
        // Signed by a key that is not b's.
        var forger = new dev.myelin.spec.event.LocalEventFactory(b.serverName(),
                dev.myelin.spec.crypto.SigningKey.generate("ed25519:forged", new java.security.SecureRandom()));
        ObjectNode draft = ((ObjectNode) template.path("event")).deepCopy();
        draft.remove("origin");
        var forged = forger.create(draft, dev.myelin.spec.event.RoomVersion.V12);
        assertThatThrownBy(() -> client.put(a.serverName(), "/_matrix/federation/v2/send_join/" + segment(roomId)
                + "/" + segment(forged.eventId()), forged.pdu().json()))
                .isInstanceOfSatisfying(FederationException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThat(membership(a, roomId, user)).isEqualTo("none");
    }

    @Test
    void aUserOfAnotherServerIsInvitedSeesTheInviteAndJoins() throws Exception {
        User alice = register(a);
        User bob = register(b);
        User carol = register(b);
        String roomId = createRoom(alice, "private_chat");
        String path = V3 + "/rooms/" + segment(roomId);

        ok(alice.client().request("POST", path + "/invite", "{\"user_id\":\"" + bob.id() + "\"}", alice.token()));
        ok(alice.client().request("POST", path + "/invite", "{\"user_id\":\"" + carol.id() + "\"}",
                alice.token()));

        assertThat(membership(a, roomId, bob.id())).isEqualTo("invite");
        assertThat(membership(b, roomId, bob.id())).isEqualTo("invite");
        JsonNode sync = ok(bob.client().get(V3 + "/sync", bob.token()));
        JsonNode inviteState = sync.path("rooms").path("invite").path(roomId).path("invite_state").path("events");
        assertThat(inviteState.findValuesAsText("type")).contains("m.room.name", "m.room.member");

        // Bob accepts through the inviting server; Carol rejects.
        ok(bob.client().request("POST", path + "/join", "{}", bob.token()));
        assertThat(membership(a, roomId, bob.id())).isEqualTo("join");
        assertThat(membership(b, roomId, bob.id())).isEqualTo("join");
        ok(carol.client().request("POST", path + "/leave", "{}", carol.token()));
        assertThat(membership(b, roomId, carol.id())).isEqualTo("leave");
        eventually(() -> "leave".equals(membership(a, roomId, carol.id())), "carol's leave at a");

        String hello = send(bob, roomId, "thanks for the invite");
        eventually(() -> hasEvent(a, hello), "bob's message at a");
    }

    @Test
    void aUserWhoBlocksInvitesRefusesThemOverFederation() {
        User alice = register(a);
        User bob = register(b);
        ok(bob.client().request("PUT", V3 + "/user/" + segment(bob.id()) + "/account_data/m.invite_permission_config",
                "{\"default_action\":\"block\"}", bob.token()));
        String roomId = createRoom(alice, "private_chat");

        // Spec (invite permission, v1.18): b answers PUT /v2/invite with 403 M_INVITE_BLOCKED, which a passes on.
        Reply refused = alice.client().request("POST", V3 + "/rooms/" + segment(roomId) + "/invite",
                "{\"user_id\":\"" + bob.id() + "\"}", alice.token());
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.errcode()).isEqualTo("M_INVITE_BLOCKED");
        assertThat(membership(a, roomId, bob.id())).isEqualTo("none");
        assertThat(membership(b, roomId, bob.id())).isEqualTo("none");
    }

    /** An invite event for a room version 1 or 2 room on b (b's own signature), with the room's stripped state. */
    static ObjectNode v1Invite(String roomId, String invitee, String roomVersion) throws Exception {
        var bKey = dev.myelin.server.config.SigningKeyFile.loadOrCreate(
                b.server().homeserver().config().signingKeyPath());
        var factory = new dev.myelin.spec.event.LocalEventFactory(b.serverName(), bKey);
        String inviter = "@inviter:" + b.serverName();
        ObjectNode draft = Json.MAPPER.createObjectNode();
        draft.put("type", "m.room.member").put("state_key", invitee).put("sender", inviter).put("room_id", roomId)
                .put("origin_server_ts", System.currentTimeMillis()).put("depth", 4);
        draft.putObject("content").put("membership", "invite");
        draft.putArray("prev_events");
        draft.putArray("auth_events");
        var version = dev.myelin.spec.event.RoomVersion.byId(roomVersion).orElseThrow();
        ObjectNode event = factory.create(draft, version).pdu().json().deepCopy();
        ObjectNode create = event.putObject("unsigned").putArray("invite_room_state").addObject();
        create.put("type", "m.room.create").put("state_key", "").put("sender", inviter);
        create.putObject("content").put("creator", inviter).put("room_version", roomVersion);
        return event;
    }

    @Test
    void theDeprecatedV1InviteIsAnsweredForRoomVersionsOneAndTwo() throws Exception {
        User alice = register(a);
        String roomId = "!v1invite" + TXN.incrementAndGet() + ":" + b.serverName();
        ObjectNode event = v1Invite(roomId, alice.id(), "2");
        String eventId = event.path("event_id").asText();

        JsonNode answer = b.federation().client().put(a.serverName(), "/_matrix/federation/v1/invite/"
                + segment(roomId) + "/" + segment(eventId), event);

        // Spec (invites-v1.yaml): [200, {"event": the invite with the invitee's server's signature added}].
        assertThat(answer.isArray()).isTrue();
        assertThat(answer.get(0).asInt()).isEqualTo(200);
        assertThat(answer.get(1).path("event").path("event_id").asText()).isEqualTo(eventId);
        assertThat(answer.get(1).path("event").path("signatures").has(a.serverName())).isTrue();
        assertThat(answer.get(1).path("event").path("signatures").has(b.serverName())).isTrue();
        assertThat(membership(a, roomId, alice.id())).isEqualTo("invite");
        JsonNode sync = ok(alice.client().get(V3 + "/sync", alice.token()));
        assertThat(sync.path("rooms").path("invite").has(roomId)).as(sync.toString()).isTrue();

        // Only for this server's users, and only the event the path names.
        ObjectNode elsewhere = v1Invite(roomId, "@someone:elsewhere.test", "1");
        assertThatThrownBy(() -> b.federation().client().put(a.serverName(), "/_matrix/federation/v1/invite/"
                + segment(roomId) + "/" + segment(elsewhere.path("event_id").asText()), elsewhere))
                .isInstanceOfSatisfying(FederationException.class, e -> assertThat(e.status()).isEqualTo(400));
        assertThatThrownBy(() -> b.federation().client().put(a.serverName(), "/_matrix/federation/v1/invite/"
                + segment(roomId) + "/" + segment("$other:" + b.serverName()), event))
                .isInstanceOfSatisfying(FederationException.class, e -> assertThat(e.status()).isEqualTo(400));
    }
}
