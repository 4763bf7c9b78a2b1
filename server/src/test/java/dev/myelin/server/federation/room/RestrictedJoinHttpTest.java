package dev.myelin.server.federation.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.federation.room.RoomFederationHttpTest.User;
import dev.myelin.server.federation.transport.FederationException;
import dev.myelin.server.http.Json;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.FederatedTestServer;
import dev.myelin.server.testing.TestClient.Reply;
import dev.myelin.spec.event.LocalEventFactory;
import dev.myelin.spec.event.RoomVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static dev.myelin.server.federation.room.RemoteRoomReader.segment;
import static dev.myelin.server.federation.room.RoomFederationHttpTest.eventually;
import static dev.myelin.server.federation.room.RoomFederationHttpTest.membership;
import static dev.myelin.server.federation.room.RoomFederationHttpTest.ok;
import static dev.myelin.server.federation.room.RoomFederationHttpTest.register;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Joins to restricted rooms over federation (spec: server-server-api "Restricted rooms"): three Myelins, a and c on
 * SQLite and b on PostgreSQL. The resident server names a local user who could invite and signs the join; a server
 * that cannot tell or cannot grant says so, and the joining server tries the next one.
 */
class RestrictedJoinHttpTest {
    private static final String V3 = "/_matrix/client/v3";
    static FederatedTestServer a;
    static FederatedTestServer b;
    static FederatedTestServer c;

    @BeforeAll
    static void start() throws Exception {
        a = FederatedTestServer.start(Backend.SQLITE, "registration.mode=open");
        b = FederatedTestServer.start(Backend.POSTGRES, "registration.mode=open");
        c = FederatedTestServer.start(Backend.SQLITE, "registration.mode=open");
    }

    @AfterAll
    static void stop() throws Exception {
        for (FederatedTestServer server : new FederatedTestServer[] {a, b, c}) {
            if (server != null) {
                server.close();
            }
        }
    }

    static String createRoom(User user, String body) {
        return ok(user.client().request("POST", V3 + "/createRoom", body, user.token())).path("room_id").asText();
    }

    /** A room only members of {@code allowed} may join, where inviting takes power 50. */
    static String restrictedRoom(User owner, String allowed) {
        return createRoom(owner, """
                {"preset":"private_chat","room_version":"10","initial_state":[
                 {"type":"m.room.join_rules","state_key":"","content":{"join_rule":"restricted",
                  "allow":[{"type":"m.room_membership","room_id":"%s"}]}}],
                 "power_level_content_override":{"invite":50}}""".formatted(allowed));
    }

    static Reply join(User user, String roomId, FederatedTestServer... via) {
        var query = new StringBuilder();
        for (FederatedTestServer server : via) {
            query.append(query.isEmpty() ? "?" : "&").append("via=").append(segment(server.serverName()));
        }
        return user.client().request("POST", V3 + "/join/" + segment(roomId) + query, "{}", user.token());
    }

    static JsonNode memberEvent(FederatedTestServer server, String roomId, String userId) throws Exception {
        var store = server.server().homeserver().rooms().service().store();
        long nid = store.membership(roomId, userId).orElseThrow().eventNid();
        return Json.MAPPER.readTree(store.event(nid).orElseThrow().json());
    }

    @Test
    void aMemberOfAnAllowedRoomJoinsThroughTheResidentServerWhichSignsTheJoin() throws Exception {
        User alice = register(a);
        User bob = register(b);
        User carol = register(b);
        String allowed = createRoom(alice, "{\"preset\":\"public_chat\"}");
        String roomId = restrictedRoom(alice, allowed);
        ok(join(bob, allowed, a));

        ok(join(bob, roomId, a));

        JsonNode event = memberEvent(a, roomId, bob.id());
        assertThat(event.path("content").path("join_authorised_via_users_server").asText()).isEqualTo(alice.id());
        assertThat(event.path("signatures").has(a.serverName())).isTrue();
        assertThat(event.path("signatures").has(b.serverName())).isTrue();
        assertThat(membership(b, roomId, bob.id())).isEqualTo("join");
        // Carol is in no allowed room.
        Reply refused = join(carol, roomId, a);
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(membership(a, roomId, carol.id())).isEqualTo("none");
    }

    @Test
    void localUsersJoinRestrictedRoomsOnBothDatabases() throws Exception {
        for (FederatedTestServer server : new FederatedTestServer[] {a, b}) {
            User owner = register(server);
            User member = register(server);
            User stranger = register(server);
            String allowed = createRoom(owner, "{\"preset\":\"public_chat\"}");
            String roomId = restrictedRoom(owner, allowed);
            ok(join(member, allowed));

            ok(join(member, roomId));
            assertThat(memberEvent(server, roomId, member.id()).path("content")
                    .path("join_authorised_via_users_server").asText()).isEqualTo(owner.id());
            Reply refused = join(stranger, roomId);
            assertThat(refused.status()).as(refused.body()).isEqualTo(403);
            assertThat(refused.errcode()).isEqualTo("M_FORBIDDEN");
        }
    }

    @Test
    void aServerNotInTheAllowedRoomCannotAuthorise() throws Exception {
        User alice = register(a);
        User dave = register(b);
        // The allowed room lives on b; a is not in it, so cannot tell whether dave is.
        String allowed = createRoom(dave, "{\"preset\":\"public_chat\"}");
        String roomId = restrictedRoom(alice, allowed);

        assertThatThrownBy(() -> b.federation().client().get(a.serverName(), "/_matrix/federation/v1/make_join/"
                + segment(roomId) + "/" + segment(dave.id()) + "?ver=10"))
                .isInstanceOfSatisfying(FederationException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.errcode()).contains("M_UNABLE_TO_AUTHORISE_JOIN");
                });
        Reply refused = join(dave, roomId, a);
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.errcode()).isEqualTo("M_UNABLE_TO_AUTHORISE_JOIN");
    }

    @Test
    void theJoiningServerTriesTheNextServerWhenOneCannotGrantTheJoin() throws Exception {
        User alice = register(a);
        User bob = register(b);
        User charlie = register(c);
        String allowed = createRoom(alice, "{\"preset\":\"public_chat\"}");
        String roomId = restrictedRoom(alice, allowed);
        ok(join(charlie, allowed, a));
        ok(join(charlie, roomId, a));
        ok(join(bob, allowed, a));
        // c is in both rooms, but its only user there may not invite.
        eventually(() -> "join".equals(membership(c, allowed, bob.id())), "bob's membership at c");
        eventually(() -> !c.server().homeserver().rooms().service().store().room(roomId).orElseThrow()
                .partialState(), "c's full state of the restricted room");
        assertThatThrownBy(() -> b.federation().client().get(c.serverName(), "/_matrix/federation/v1/make_join/"
                + segment(roomId) + "/" + segment(bob.id()) + "?ver=10"))
                .isInstanceOfSatisfying(FederationException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.errcode()).contains("M_UNABLE_TO_GRANT_JOIN");
                });

        ok(join(bob, roomId, c, a));

        assertThat(memberEvent(a, roomId, bob.id()).path("content").path("join_authorised_via_users_server")
                .asText()).isEqualTo(alice.id());
        eventually(() -> "join".equals(membership(c, roomId, bob.id())), "bob's join at c");
    }

    @Test
    void sendJoinRefusesToSignForAnotherServersUser() throws Exception {
        User alice = register(a);
        User bob = register(b);
        String allowed = createRoom(alice, "{\"preset\":\"public_chat\"}");
        String roomId = restrictedRoom(alice, allowed);
        ok(join(bob, allowed, a));
        var client = b.federation().client();
        JsonNode template = client.get(a.serverName(), "/_matrix/federation/v1/make_join/" + segment(roomId) + "/"
                + segment(bob.id()) + "?ver=10");
        ObjectNode draft = ((ObjectNode) template.path("event")).deepCopy();
        assertThat(draft.path("content").path("join_authorised_via_users_server").asText()).isEqualTo(alice.id());
        draft.remove("origin");
        ((ObjectNode) draft.get("content")).put("join_authorised_via_users_server", "@mod:" + c.serverName());
        var joiner = new LocalEventFactory(b.serverName(), b.federation().localKeys().signingKey());
        var join = joiner.create(draft, RoomVersion.V10);

        assertThatThrownBy(() -> client.put(a.serverName(), "/_matrix/federation/v2/send_join/" + segment(roomId)
                + "/" + segment(join.eventId()), join.pdu().json()))
                .isInstanceOfSatisfying(FederationException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.errcode()).contains("M_UNABLE_TO_GRANT_JOIN");
                });
        assertThat(membership(a, roomId, bob.id())).isEqualTo("none");
    }
}
