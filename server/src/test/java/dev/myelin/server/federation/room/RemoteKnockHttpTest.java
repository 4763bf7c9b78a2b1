package dev.myelin.server.federation.room;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.federation.room.RoomFederationHttpTest.User;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.FederatedTestServer;
import dev.myelin.server.testing.TestClient.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.myelin.server.federation.room.RemoteRoomReader.segment;
import static dev.myelin.server.federation.room.RoomFederationHttpTest.eventually;
import static dev.myelin.server.federation.room.RoomFederationHttpTest.membership;
import static dev.myelin.server.federation.room.RoomFederationHttpTest.ok;
import static dev.myelin.server.federation.room.RoomFederationHttpTest.register;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Knocking on rooms of another server through {@code via} (spec: server-server-api "Knocking upon a room"), both
 * ways between a Myelin on SQLite and one on PostgreSQL: the knock, its stripped state in sync, the invite that
 * accepts it, and rescinding it by leaving.
 */
class RemoteKnockHttpTest {
    private static final String V3 = "/_matrix/client/v3";
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

    static String knockableRoom(User owner, String name) {
        return ok(owner.client().request("POST", V3 + "/createRoom", """
                {"preset":"private_chat","name":"%s","initial_state":[{"type":"m.room.join_rules","state_key":"",
                 "content":{"join_rule":"knock"}}]}""".formatted(name), owner.token())).path("room_id").asText();
    }

    static Reply knock(User user, String roomId, FederatedTestServer via) {
        return user.client().request("POST", V3 + "/knock/" + segment(roomId) + "?via=" + segment(via.serverName()),
                "{\"reason\":\"let me in\"}", user.token());
    }

    static JsonNode sync(User user) {
        return ok(user.client().get(V3 + "/sync?timeout=0", user.token()));
    }

    @Test
    void aKnockThroughViaShowsInSyncAndAnInviteAcceptsIt() throws Exception {
        User alice = register(a);
        User bob = register(b);
        String roomId = knockableRoom(alice, "Knock here");

        assertThat(ok(knock(bob, roomId, a)).path("room_id").asText()).isEqualTo(roomId);

        assertThat(membership(a, roomId, bob.id())).isEqualTo("knock");
        assertThat(membership(b, roomId, bob.id())).isEqualTo("knock");
        JsonNode knocked = sync(bob).path("rooms").path("knock").path(roomId).path("knock_state").path("events");
        assertThat(knocked.findValuesAsText("type")).contains("m.room.create", "m.room.join_rules", "m.room.name",
                "m.room.member");
        for (JsonNode event : knocked) {
            assertThat(event.has("signatures")).isFalse();
            if (event.path("type").asText().equals("m.room.name")) {
                assertThat(event.path("content").path("name").asText()).isEqualTo("Knock here");
            }
        }
        // Knocking again changes nothing.
        ok(knock(bob, roomId, a));

        ok(alice.client().request("POST", V3 + "/rooms/" + segment(roomId) + "/invite",
                "{\"user_id\":\"" + bob.id() + "\"}", alice.token()));
        eventually(() -> "invite".equals(membership(b, roomId, bob.id())), "the invite at b");
        ok(bob.client().request("POST", V3 + "/join/" + segment(roomId), "{}", bob.token()));
        assertThat(membership(a, roomId, bob.id())).isEqualTo("join");
    }

    @Test
    void aKnockOnARoomOnPostgresIsRescindedByLeaving() throws Exception {
        User bob = register(b);
        User carol = register(a);
        String roomId = knockableRoom(bob, "Knock on b");

        ok(knock(carol, roomId, b));
        assertThat(membership(b, roomId, carol.id())).isEqualTo("knock");
        assertThat(sync(carol).path("rooms").path("knock").has(roomId)).isTrue();

        ok(carol.client().request("POST", V3 + "/rooms/" + segment(roomId) + "/leave", "{}", carol.token()));
        assertThat(membership(b, roomId, carol.id())).isEqualTo("leave");
        assertThat(membership(a, roomId, carol.id())).isEqualTo("leave");
    }

    @Test
    void roomsThatDoNotAllowKnockingRefuse() {
        User alice = register(a);
        User bob = register(b);
        String roomId = ok(alice.client().request("POST", V3 + "/createRoom", "{\"preset\":\"private_chat\"}",
                alice.token())).path("room_id").asText();
        Reply refused = knock(bob, roomId, a);
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(membership(b, roomId, bob.id())).isEqualTo("none");
        Reply unknown = bob.client().request("POST", V3 + "/knock/" + segment("!nowhere:" + a.serverName())
                + "?via=" + segment(a.serverName()), "{}", bob.token());
        assertThat(unknown.status()).as(unknown.body()).isEqualTo(404);
    }
}
