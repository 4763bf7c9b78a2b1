package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.client.RoomsHttpTest.User;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestClient.Reply;
import dev.myelin.server.testing.TestHomeserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.myelin.server.client.RoomsHttpTest.enc;
import static org.assertj.core.api.Assertions.assertThat;

/** Knocking and room upgrades over HTTP, on SQLite and PostgreSQL. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class KnockAndUpgradeHttpTest {
    private static final String V3 = "/_matrix/client/v3";

    @Parameter
    Backend backend;

    static TestHomeserver server;
    static TestClient client;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        server = TestHomeserver.start(backend, "registration.mode=open");
        client = server.client();
        RoomsHttpTest.client = client;
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
    }

    static Reply post(User user, String path, String body) {
        return client.request("POST", V3 + path, body, user.token());
    }

    static Reply put(User user, String path, String body) {
        return client.request("PUT", V3 + path, body, user.token());
    }

    static JsonNode ok(Reply reply) {
        return RoomsHttpTest.ok(reply);
    }

    static void error(Reply reply, int status, String errcode) {
        RoomsHttpTest.error(reply, status, errcode);
    }

    static String membership(User viewer, String roomId, String userId) {
        Reply reply = client.get(V3 + "/rooms/" + enc(roomId) + "/state/m.room.member/" + enc(userId), viewer.token());
        return reply.status() == 200 ? reply.json().path("membership").asText() : "none";
    }

    static JsonNode state(User viewer, String roomId, String type) {
        return ok(client.get(V3 + "/rooms/" + enc(roomId) + "/state/" + type + "/", viewer.token()));
    }

    @Test
    void knockThenInviteOrRescind() {
        User alice = RoomsHttpTest.newUser();
        User bob = RoomsHttpTest.newUser();
        User carol = RoomsHttpTest.newUser();
        String roomId = RoomsHttpTest.createRoom(alice, "{\"preset\":\"private_chat\",\"room_alias_name\":\"knockme"
                + System.nanoTime() + "\"}");
        String alias = ok(client.get(V3 + "/rooms/" + enc(roomId) + "/aliases", alice.token()))
                .path("aliases").get(0).asText();
        // An invite-only room refuses knocks.
        error(post(bob, "/knock/" + enc(roomId), "{}"), 403, "M_FORBIDDEN");
        ok(put(alice, "/rooms/" + enc(roomId) + "/state/m.room.join_rules/", "{\"join_rule\":\"knock\"}"));

        JsonNode knocked = ok(post(bob, "/knock/" + enc(alias), "{\"reason\":\"let me in\"}"));
        assertThat(knocked.path("room_id").asText()).isEqualTo(roomId);
        JsonNode member = ok(client.get(V3 + "/rooms/" + enc(roomId) + "/state/m.room.member/" + enc(bob.id()),
                alice.token()));
        assertThat(member.path("membership").asText()).isEqualTo("knock");
        assertThat(member.path("reason").asText()).isEqualTo("let me in");
        ok(post(bob, "/knock/" + enc(roomId), "{}"));
        // A knocker cannot join by themselves; an invite lets them in.
        error(post(bob, "/rooms/" + enc(roomId) + "/join", "{}"), 403, "M_FORBIDDEN");
        ok(post(alice, "/rooms/" + enc(roomId) + "/invite", "{\"user_id\":\"" + bob.id() + "\"}"));
        assertThat(membership(alice, roomId, bob.id())).isEqualTo("invite");
        ok(post(bob, "/rooms/" + enc(roomId) + "/join", "{}"));
        error(post(bob, "/knock/" + enc(roomId), "{}"), 403, "M_FORBIDDEN");

        // Leaving rescinds a knock.
        ok(post(carol, "/knock/" + enc(roomId), "{}"));
        ok(post(carol, "/rooms/" + enc(roomId) + "/leave", "{}"));
        assertThat(membership(alice, roomId, carol.id())).isEqualTo("leave");

        error(post(carol, "/knock/%21nowhere%3Atest.local", "{}"), 404, "M_NOT_FOUND");
        error(post(carol, "/knock/%23nowhere%3Atest.local", "{}"), 404, "M_NOT_FOUND");
        error(post(carol, "/knock/nonsense", "{}"), 400, "M_INVALID_PARAM");
    }

    @Test
    void knockRestrictedAndOldVersions() {
        User alice = RoomsHttpTest.newUser();
        User bob = RoomsHttpTest.newUser();
        String roomId = RoomsHttpTest.createRoom(alice, "{\"preset\":\"private_chat\"}");
        ok(put(alice, "/rooms/" + enc(roomId) + "/state/m.room.join_rules/",
                "{\"join_rule\":\"knock_restricted\",\"allow\":[]}"));
        ok(post(bob, "/knock/" + enc(roomId), "{}"));
        // Room version 6 has no knocking.
        String v6 = RoomsHttpTest.createRoom(alice, "{\"preset\":\"private_chat\",\"room_version\":\"6\"}");
        error(post(bob, "/knock/" + enc(v6), "{}"), 403, "M_FORBIDDEN");
    }

    @Test
    void upgradeCopiesStateAndClosesTheOldRoom() {
        User alice = RoomsHttpTest.newUser();
        User bob = RoomsHttpTest.newUser();
        User mallory = RoomsHttpTest.newUser();
        String aliasName = "upgrade" + System.nanoTime();
        String oldRoom = RoomsHttpTest.createRoom(alice, """
                {"preset":"public_chat","visibility":"public","name":"Old","topic":"Topic","room_version":"11",
                 "room_alias_name":"%s"}""".formatted(aliasName));
        String alias = "#" + aliasName + ":" + server.homeserver().config().serverName();
        ok(post(bob, "/rooms/" + enc(oldRoom) + "/join", "{}"));
        ok(post(mallory, "/rooms/" + enc(oldRoom) + "/join", "{}"));
        User dave = RoomsHttpTest.newUser();
        ok(post(dave, "/rooms/" + enc(oldRoom) + "/join", "{}"));
        ok(post(alice, "/rooms/" + enc(oldRoom) + "/ban", "{\"user_id\":\"" + mallory.id() + "\",\"reason\":\"spam\"}"));
        ok(put(alice, "/rooms/" + enc(oldRoom) + "/state/m.room.canonical_alias/", "{\"alias\":\"" + alias + "\"}"));
        ok(put(alice, "/rooms/" + enc(oldRoom) + "/state/m.room.power_levels/", """
                {"users":{"%s":100,"%s":60},"users_default":0,"events_default":0,"state_default":50,"ban":50,
                 "kick":50,"redact":50,"invite":0,"events":{"m.room.tombstone":100,"m.room.power_levels":100}}"""
                .formatted(alice.id(), bob.id())));

        // Bob lacks the power to send a tombstone; unknown versions are refused.
        error(post(bob, "/rooms/" + enc(oldRoom) + "/upgrade", "{\"new_version\":\"12\"}"), 403, "M_FORBIDDEN");
        error(post(alice, "/rooms/" + enc(oldRoom) + "/upgrade", "{\"new_version\":\"99\"}"), 400,
                "M_UNSUPPORTED_ROOM_VERSION");
        error(post(alice, "/rooms/" + enc(oldRoom) + "/upgrade", "{}"), 400, "M_MISSING_PARAM");

        String newRoom = ok(post(alice, "/rooms/" + enc(oldRoom) + "/upgrade",
                "{\"new_version\":\"12\",\"additional_creators\":[\"" + bob.id() + "\"]}"))
                .path("replacement_room").asText();
        assertThat(newRoom).isNotEqualTo(oldRoom);

        JsonNode create = state(alice, newRoom, "m.room.create");
        assertThat(create.path("room_version").asText()).isEqualTo("12");
        assertThat(create.path("predecessor").path("room_id").asText()).isEqualTo(oldRoom);
        assertThat(create.path("additional_creators").get(0).asText()).isEqualTo(bob.id());
        assertThat(state(alice, newRoom, "m.room.name").path("name").asText()).isEqualTo("Old");
        assertThat(state(alice, newRoom, "m.room.topic").path("topic").asText()).isEqualTo("Topic");
        assertThat(state(alice, newRoom, "m.room.join_rules").path("join_rule").asText()).isEqualTo("public");
        assertThat(state(alice, newRoom, "m.room.canonical_alias").path("alias").asText()).isEqualTo(alias);
        JsonNode levels = state(alice, newRoom, "m.room.power_levels");
        // v12 creators are not listed in power levels.
        assertThat(levels.path("users").has(alice.id())).isFalse();
        assertThat(levels.path("users").has(bob.id())).isFalse();
        assertThat(membership(alice, newRoom, mallory.id())).isEqualTo("ban");

        JsonNode tombstone = state(alice, oldRoom, "m.room.tombstone");
        assertThat(tombstone.path("replacement_room").asText()).isEqualTo(newRoom);
        JsonNode oldLevels = state(alice, oldRoom, "m.room.power_levels");
        assertThat(oldLevels.path("events_default").asInt()).isEqualTo(50);
        assertThat(oldLevels.path("invite").asInt()).isEqualTo(50);
        error(put(dave, "/rooms/" + enc(oldRoom) + "/send/m.room.message/t1", "{\"body\":\"x\"}"), 403, "M_FORBIDDEN");

        assertThat(ok(client.get(V3 + "/directory/room/" + enc(alias), alice.token())).path("room_id").asText())
                .isEqualTo(newRoom);
        JsonNode published = ok(client.get(V3 + "/publicRooms", alice.token()));
        assertThat(published.toString()).contains(newRoom).doesNotContain(oldRoom);

        // Bob follows the tombstone.
        ok(post(bob, "/join/" + enc(newRoom), "{}"));
        error(post(alice, "/rooms/" + enc(oldRoom) + "/upgrade", "{\"new_version\":\"12\"}"), 400, "M_BAD_STATE");
    }

    @Test
    void upgradeToAnOlderStyleVersionRaisesAndRestoresTheUpgrader() {
        User alice = RoomsHttpTest.newUser();
        String oldRoom = RoomsHttpTest.createRoom(alice, "{\"preset\":\"private_chat\",\"room_version\":\"10\"}");
        ok(put(alice, "/rooms/" + enc(oldRoom) + "/state/m.room.encryption/",
                "{\"algorithm\":\"m.megolm.v1.aes-sha2\"}"));
        // Alice keeps the power to upgrade but not to send the encryption state nor change power levels.
        ok(put(alice, "/rooms/" + enc(oldRoom) + "/state/m.room.power_levels/", """
                {"users":{"%s":60},"state_default":50,"events":{"m.room.tombstone":50,"m.room.encryption":100,
                 "m.room.power_levels":100}}""".formatted(alice.id())));
        String newRoom = ok(post(alice, "/rooms/" + enc(oldRoom) + "/upgrade", "{\"new_version\":\"11\"}"))
                .path("replacement_room").asText();
        JsonNode create = state(alice, newRoom, "m.room.create");
        assertThat(create.path("predecessor").path("event_id").asText()).startsWith("$");
        assertThat(state(alice, newRoom, "m.room.power_levels").path("users").path(alice.id()).asInt())
                .isEqualTo(60);
        assertThat(state(alice, oldRoom, "m.room.tombstone").path("replacement_room").asText()).isEqualTo(newRoom);
        assertThat(state(alice, oldRoom, "m.room.power_levels").path("events_default").asInt()).isEqualTo(0);
        assertThat(state(alice, newRoom, "m.room.encryption").path("algorithm").asText())
                .isEqualTo("m.megolm.v1.aes-sha2");
        error(post(alice, "/rooms/" + enc(newRoom) + "/upgrade",
                "{\"new_version\":\"11\",\"additional_creators\":[\"@x:y\"]}"), 400, "M_INVALID_PARAM");
    }
}
