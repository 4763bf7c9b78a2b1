package dev.myelin.server.federation.edu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.FederatedTestServer;
import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestClient.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Typing, read receipts and presence between two Myelin servers (one on SQLite, one on PostgreSQL) sharing a
 * room, seen by each side's clients through /sync and the presence API; EDUs a server may not send are ignored.
 */
class EphemeralEdusHttpTest {
    private static final String V3 = "/_matrix/client/v3";
    private static final AtomicInteger COUNTER = new AtomicInteger();
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
        String body = "{\"username\":\"edu" + COUNTER.incrementAndGet() + "\",\"password\":\"correct horse battery\"";
        Reply first = client.request("POST", V3 + "/register", body + "}");
        String session = first.json().path("session").asText();
        return userOf(client, ok(client.request("POST", V3 + "/register",
                body + ",\"auth\":{\"type\":\"m.login.dummy\",\"session\":\"" + session + "\"}}")));
    }

    private static User userOf(TestClient client, JsonNode registered) {
        return new User(registered.path("user_id").asText(), registered.path("access_token").asText(), client);
    }

    static JsonNode ok(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A room alice (on a) created and bob (on b) joined over federation. */
    static String sharedRoom(User alice, User bob) {
        String roomId = ok(alice.client().request("POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}",
                alice.token())).path("room_id").asText();
        ok(bob.client().request("POST", V3 + "/join/" + segment(roomId) + "?server_name=" + segment(a.serverName()),
                "{}", bob.token()));
        return roomId;
    }

    static JsonNode ephemeral(User user, String roomId, String type) {
        JsonNode sync = ok(user.client().get(V3 + "/sync?timeout=0", user.token()));
        for (JsonNode event : sync.path("rooms").path("join").path(roomId).path("ephemeral").path("events")) {
            if (type.equals(event.path("type").asText())) {
                return event.path("content");
            }
        }
        return Json.MAPPER.createObjectNode();
    }

    static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    static boolean typing(User viewer, String roomId, String typist) {
        return ephemeral(viewer, roomId, "m.typing").path("user_ids").toString().contains("\"" + typist + "\"");
    }

    @Test
    void typingReachesTheOtherServerBothWaysAndStops() throws Exception {
        User alice = register(a);
        User bob = register(b);
        String roomId = sharedRoom(alice, bob);
        String typingPath = V3 + "/rooms/" + segment(roomId) + "/typing/";

        ok(alice.client().request("PUT", typingPath + segment(alice.id()), "{\"typing\":true,\"timeout\":30000}",
                alice.token()));
        eventually(() -> typing(bob, roomId, alice.id()), "alice typing, seen by bob");
        ok(bob.client().request("PUT", typingPath + segment(bob.id()), "{\"typing\":true,\"timeout\":30000}",
                bob.token()));
        eventually(() -> typing(alice, roomId, bob.id()), "bob typing, seen by alice");

        ok(alice.client().request("PUT", typingPath + segment(alice.id()), "{\"typing\":false}", alice.token()));
        eventually(() -> !typing(bob, roomId, alice.id()), "alice stopped, seen by bob");
    }

    @Test
    void readReceiptsReachTheOtherServerButPrivateOnesDoNot() throws Exception {
        User alice = register(a);
        User bob = register(b);
        String roomId = sharedRoom(alice, bob);
        String eventId = ok(alice.client().request("PUT", V3 + "/rooms/" + segment(roomId)
                + "/send/m.room.message/r" + COUNTER.incrementAndGet(), "{\"msgtype\":\"m.text\",\"body\":\"hi\"}",
                alice.token())).path("event_id").asText();
        eventually(() -> b.server().homeserver().rooms().service().store().event(eventId).isPresent(),
                "the message at b");

        ok(bob.client().request("POST", V3 + "/rooms/" + segment(roomId) + "/receipt/m.read.private/"
                + segment(eventId), "{}", bob.token()));
        ok(bob.client().request("POST", V3 + "/rooms/" + segment(roomId) + "/receipt/m.read/" + segment(eventId),
                "{}", bob.token()));
        eventually(() -> ephemeral(alice, roomId, "m.receipt").path(eventId).path("m.read").has(bob.id()),
                "bob's read receipt, seen by alice");
        assertThat(ephemeral(alice, roomId, "m.receipt").path(eventId).has("m.read.private")).isFalse();
        assertThat(ephemeral(alice, roomId, "m.receipt").path(eventId).path("m.read").path(bob.id())
                .path("ts").asLong()).isPositive();
    }

    @Test
    void presenceReachesServersSharingARoom() throws Exception {
        User alice = register(a);
        User bob = register(b);
        sharedRoom(alice, bob);
        ok(alice.client().request("PUT", V3 + "/presence/" + segment(alice.id()) + "/status",
                "{\"presence\":\"online\",\"status_msg\":\"on a\"}", alice.token()));
        eventually(() -> "on a".equals(bob.client().get(V3 + "/presence/" + segment(alice.id()) + "/status",
                bob.token()).json().path("status_msg").asText()), "alice's presence at b");
        JsonNode seen = ok(bob.client().get(V3 + "/presence/" + segment(alice.id()) + "/status", bob.token()));
        assertThat(seen.path("presence").asText()).isEqualTo("online");
    }

    @Test
    void edusForUsersOfAnotherServerOrOutsideTheRoomAreIgnored() throws Exception {
        User alice = register(a);
        User bob = register(b);
        User carol = register(b); // on b, not in the room
        String roomId = sharedRoom(alice, bob);
        String eventId = ok(alice.client().request("PUT", V3 + "/rooms/" + segment(roomId)
                + "/send/m.room.message/f" + COUNTER.incrementAndGet(), "{\"msgtype\":\"m.text\",\"body\":\"x\"}",
                alice.token())).path("event_id").asText();

        // b speaks for a's own user, for a user of a third server, and for its user outside the room.
        ObjectNode forgedAlice = typingEdu(roomId, alice.id());
        ObjectNode forgedThird = typingEdu(roomId, "@mallory:elsewhere.example");
        ObjectNode outsider = typingEdu(roomId, carol.id());
        ObjectNode receipt = Json.MAPPER.createObjectNode();
        ObjectNode forged = receipt.put("edu_type", "m.receipt").putObject("content").putObject(roomId)
                .putObject("m.read").putObject(alice.id());
        forged.putObject("data").put("ts", 1);
        forged.putArray("event_ids").add(eventId);
        ObjectNode presence = Json.MAPPER.createObjectNode().put("edu_type", "m.presence");
        presence.putObject("content").putArray("push").addObject().put("user_id", alice.id())
                .put("presence", "unavailable").put("last_active_ago", 5).put("status_msg", "forged");
        sendTransaction(forgedAlice, forgedThird, outsider, receipt, presence);
        // A legitimate EDU sent after them, to know they were processed.
        sendTransaction(typingEdu(roomId, bob.id()));
        eventually(() -> typing(alice, roomId, bob.id()), "bob's typing");

        JsonNode typists = ephemeral(alice, roomId, "m.typing").path("user_ids");
        assertThat(typists.toString()).doesNotContain(alice.id(), "@mallory:elsewhere.example", carol.id());
        assertThat(ephemeral(alice, roomId, "m.receipt").path(eventId).path("m.read").has(alice.id())).isFalse();
        assertThat(alice.client().get(V3 + "/presence/" + segment(alice.id()) + "/status", alice.token()).json()
                .path("status_msg").asText()).isNotEqualTo("forged");
    }

    private static ObjectNode typingEdu(String roomId, String userId) {
        ObjectNode edu = Json.MAPPER.createObjectNode().put("edu_type", "m.typing");
        edu.putObject("content").put("room_id", roomId).put("user_id", userId).put("typing", true);
        return edu;
    }

    /** b sends a transaction of EDUs to a, signed as b. */
    private static void sendTransaction(ObjectNode... edus) throws Exception {
        ObjectNode txn = Json.MAPPER.createObjectNode().put("origin", b.serverName())
                .put("origin_server_ts", System.currentTimeMillis());
        txn.putArray("pdus");
        var array = txn.putArray("edus");
        for (ObjectNode edu : edus) {
            array.add(edu);
        }
        b.federation().client().put(a.serverName(), "/_matrix/federation/v1/send/forged" + COUNTER.incrementAndGet(),
                txn);
    }
}
