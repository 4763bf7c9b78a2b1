package dev.myelin.server.federation.acl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.FederatedTestServer;
import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestClient.Reply;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Server ACLs between two Myelins (a on SQLite, b on PostgreSQL; both named localhost:port, so an ACL denying
 * "localhost" denies the other server whatever its port): the protected endpoints answer 403 M_FORBIDDEN, PDUs
 * of a denied origin are refused per PDU, and its room EDUs are dropped.
 */
class ServerAclFederationHttpTest {
    private static final String V3 = "/_matrix/client/v3";
    private static final String V1 = "/_matrix/federation/v1";
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
        String body = "{\"username\":\"acl" + USERS.incrementAndGet() + "\",\"password\":\"correct horse battery\"";
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

    /** A public room of a user of a, which a user of b has joined. */
    static String sharedRoom(User alice, User bob) {
        String roomId = ok(alice.client().request("POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}",
                alice.token())).path("room_id").asText();
        ok(bob.client().request("POST", V3 + "/join/" + segment(roomId) + "?via=" + segment(a.serverName()), "{}",
                bob.token()));
        return roomId;
    }

    static void setAcl(User user, String roomId, String content) {
        ok(user.client().request("PUT", V3 + "/rooms/" + segment(roomId) + "/state/m.room.server_acl/", content,
                user.token()));
    }

    static String send(User user, String roomId, String body) {
        return ok(user.client().request("PUT", V3 + "/rooms/" + segment(roomId) + "/send/m.room.message/t"
                + TXN.incrementAndGet(), "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}", user.token()))
                .path("event_id").asText();
    }

    static void assertForbidden(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(FederationException.class, e -> {
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.errcode()).contains("M_FORBIDDEN");
        });
    }

    @Test
    void aDeniedServerIsRefusedByEveryEndpointThatTakesTheRoom() throws Exception {
        User alice = register(a);
        User bob = register(b);
        String roomId = sharedRoom(alice, bob);
        String message = send(alice, roomId, "before the ACL");
        var client = b.federation().client();
        String room = segment(roomId);
        // Allowed before the ACL.
        assertThat(client.get(a.serverName(), V1 + "/state_ids/" + room + "?event_id=" + segment(message))
                .path("pdu_ids").size()).isPositive();

        setAcl(alice, roomId, "{\"allow\":[\"*\"],\"deny\":[\"localhost\"]}");

        String carol = "@carol:" + b.serverName();
        assertForbidden(() -> client.get(a.serverName(), V1 + "/state_ids/" + room + "?event_id=" + segment(message)));
        assertForbidden(() -> client.get(a.serverName(), V1 + "/state/" + room + "?event_id=" + segment(message)));
        assertForbidden(() -> client.get(a.serverName(), V1 + "/event/" + segment(message)));
        assertForbidden(() -> client.get(a.serverName(), V1 + "/event_auth/" + room + "/" + segment(message)));
        assertForbidden(() -> client.get(a.serverName(), V1 + "/backfill/" + room + "?v=" + segment(message)
                + "&limit=5"));
        assertForbidden(() -> client.post(a.serverName(), V1 + "/get_missing_events/" + room,
                Json.MAPPER.readTree("{\"earliest_events\":[],\"latest_events\":[\"" + message + "\"]}")));
        assertForbidden(() -> client.get(a.serverName(), V1 + "/make_join/" + room + "/" + segment(carol)
                + "?ver=10&ver=11&ver=12"));
        assertForbidden(() -> client.get(a.serverName(), V1 + "/make_leave/" + room + "/" + segment(bob.id())));
        assertForbidden(() -> client.get(a.serverName(), V1 + "/make_knock/" + room + "/" + segment(carol)
                + "?ver=12"));
        assertForbidden(() -> client.put(a.serverName(), V1.replace("v1", "v2") + "/send_leave/" + room + "/" + segment("$x"),
                Json.MAPPER.createObjectNode()));

        // A user of b joining another room with the ACL, which b is not in yet: make_join is refused.
        String other = ok(alice.client().request("POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}",
                alice.token())).path("room_id").asText();
        setAcl(alice, other, "{\"allow\":[\"*\"],\"deny\":[\"localhost\"]}");
        User dave = register(b);
        Reply refused = dave.client().request("POST", V3 + "/join/" + segment(other) + "?via=" + segment(a.serverName()),
                "{}", dave.token());
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.errcode()).isEqualTo("M_FORBIDDEN");
    }

    @Test
    void pdusFromADeniedServerAreRefusedOneByOne() throws Exception {
        User alice = register(a);
        User bob = register(b);
        String roomId = sharedRoom(alice, bob);
        String allowedRoom = sharedRoom(alice, bob);
        setAcl(alice, roomId, "{\"allow\":[\"*\"],\"deny\":[\"localhost\"]}");
        String denied = send(bob, roomId, "denied");
        String allowed = send(bob, allowedRoom, "allowed");

        // The same transaction carries a PDU of each room: one refused, the other accepted.
        ObjectNode txn = Json.MAPPER.createObjectNode();
        txn.put("origin", b.serverName());
        txn.put("origin_server_ts", System.currentTimeMillis());
        var pdus = txn.putArray("pdus");
        pdus.add(storedJson(b, denied));
        pdus.add(storedJson(b, allowed));
        JsonNode results = b.federation().client().put(a.serverName(), V1 + "/send/acl" + TXN.incrementAndGet(), txn)
                .path("pdus");

        assertThat(results.path(denied).path("error").asText()).contains("server ACL");
        assertThat(results.path(allowed).has("error")).as(results.toString()).isFalse();
        assertThat(a.server().homeserver().rooms().service().store().event(denied)).isEmpty();
        assertThat(a.server().homeserver().rooms().service().store().event(allowed)).isPresent();
    }

    @Test
    void typingAndReceiptsFromADeniedServerAreDroppedPerRoom() throws Exception {
        User alice = register(a);
        User bob = register(b);
        String deniedRoom = sharedRoom(alice, bob);
        String allowedRoom = sharedRoom(alice, bob);
        setAcl(alice, deniedRoom, "{\"allow\":[\"*\"],\"deny\":[\"localhost\"]}");
        var read = new java.util.HashMap<String, String>();
        for (String roomId : List.of(deniedRoom, allowedRoom)) {
            read.put(roomId, send(alice, roomId, "read me"));
        }

        ObjectNode txn = Json.MAPPER.createObjectNode();
        txn.put("origin", b.serverName());
        txn.put("origin_server_ts", System.currentTimeMillis());
        txn.putArray("pdus");
        var edus = txn.putArray("edus");
        ObjectNode receipts = Json.MAPPER.createObjectNode();
        for (String roomId : List.of(deniedRoom, allowedRoom)) {
            edus.addObject().put("edu_type", "m.typing").putObject("content").put("room_id", roomId)
                    .put("user_id", bob.id()).put("typing", true);
            ObjectNode receipt = receipts.putObject(roomId).putObject("m.read").putObject(bob.id());
            receipt.putArray("event_ids").add(read.get(roomId));
            receipt.putObject("data").put("ts", System.currentTimeMillis());
        }
        edus.addObject().put("edu_type", "m.receipt").set("content", receipts);
        b.federation().client().put(a.serverName(), V1 + "/send/acl" + TXN.incrementAndGet(), txn);

        var typing = a.server().homeserver().ephemeral().typing();
        assertThat(typing.typing(allowedRoom)).contains(bob.id());
        assertThat(typing.typing(deniedRoom)).doesNotContain(bob.id());
        JsonNode rooms = ok(alice.client().get(V3 + "/sync", alice.token())).path("rooms").path("join");
        assertThat(rooms.path(allowedRoom).path("ephemeral").toString()).contains("m.receipt", bob.id());
        assertThat(rooms.path(deniedRoom).path("ephemeral").toString()).doesNotContain(bob.id());
    }

    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static JsonNode storedJson(FederatedTestServer server, String eventId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        var store = server.server().homeserver().rooms().service().store();
        while (store.event(eventId).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return Json.MAPPER.readTree(store.event(eventId).orElseThrow().json());
    }
}
