package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
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

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Rooms, state, membership, timelines, redactions and aliases over HTTP, on SQLite and PostgreSQL. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class RoomsHttpTest {
    private static final String V3 = "/_matrix/client/v3";
    private static final AtomicInteger TXN = new AtomicInteger();

    @Parameter
    Backend backend;

    static TestHomeserver server;
    static TestClient client;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        server = TestHomeserver.start(backend, "registration.mode=open", "registration.allow_guests=true");
        client = server.client();
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
    }

    record User(String id, String token) {}

    static User newUser() {
        JsonNode body = AccountsHttpTest.register(client, AccountsHttpTest.newName(), "correct horse battery", "");
        return new User(body.path("user_id").asText(), body.path("access_token").asText());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static Reply post(User user, String path, String body) {
        return client.request("POST", V3 + path, body, user.token());
    }

    static Reply put(User user, String path, String body) {
        return client.request("PUT", V3 + path, body, user.token());
    }

    static Reply get(User user, String path) {
        return client.get(V3 + path, user.token());
    }

    static JsonNode ok(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    static void error(Reply reply, int status, String errcode) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.errcode()).as(reply.body()).isEqualTo(errcode);
    }

    static String createRoom(User user, String body) {
        return ok(post(user, "/createRoom", body)).path("room_id").asText();
    }

    static String sendText(User user, String roomId, String body) {
        return ok(put(user, "/rooms/" + enc(roomId) + "/send/m.room.message/t" + TXN.incrementAndGet(),
                "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}")).path("event_id").asText();
    }

    static List<String> bodies(JsonNode chunk) {
        var out = new ArrayList<String>();
        chunk.forEach(event -> {
            if (event.path("type").asText().equals("m.room.message")) {
                out.add(event.path("content").path("body").asText());
            }
        });
        return out;
    }

    @Test
    void createSendAndReadBack() {
        User alice = newUser();
        String roomId = createRoom(alice, "{\"name\":\"Lobby\",\"topic\":\"Chat\",\"preset\":\"public_chat\"}");
        String room = "/rooms/" + enc(roomId);

        String path = room + "/send/m.room.message/txn-1";
        String first = ok(put(alice, path, "{\"msgtype\":\"m.text\",\"body\":\"hello\"}")).path("event_id").asText();
        String again = ok(put(alice, path, "{\"msgtype\":\"m.text\",\"body\":\"hello\"}")).path("event_id").asText();
        assertThat(again).isEqualTo(first);

        JsonNode event = ok(get(alice, room + "/event/" + enc(first)));
        assertThat(event.path("content").path("body").asText()).isEqualTo("hello");
        assertThat(event.path("sender").asText()).isEqualTo(alice.id());
        assertThat(event.path("room_id").asText()).isEqualTo(roomId);
        assertThat(event.has("hashes")).isFalse();
        assertThat(event.path("unsigned").path("transaction_id").asText()).isEqualTo("txn-1");
        User bob = newUser();
        ok(post(bob, room + "/join", "{}"));
        assertThat(ok(get(bob, room + "/event/" + enc(first))).path("unsigned").has("transaction_id")).isFalse();

        assertThat(ok(get(alice, room + "/state/m.room.name")).path("name").asText()).isEqualTo("Lobby");
        assertThat(ok(get(alice, room + "/state/m.room.name/")).path("name").asText()).isEqualTo("Lobby");
        ok(put(alice, room + "/state/m.room.topic/", "{\"topic\":\"New topic\"}"));
        JsonNode topic = ok(get(alice, room + "/state/m.room.topic?format=event"));
        assertThat(topic.path("content").path("topic").asText()).isEqualTo("New topic");
        assertThat(topic.path("unsigned").path("prev_content").path("topic").asText()).isEqualTo("Chat");
        assertThat(topic.path("unsigned").path("prev_sender").asText()).isEqualTo(alice.id());
        assertThat(topic.path("state_key").asText()).isEmpty();
        ok(put(alice, room + "/state/org.example.custom/some%2Fkey", "{\"v\":1}"));
        assertThat(ok(get(alice, room + "/state/org.example.custom/some%2Fkey")).path("v").asInt()).isEqualTo(1);

        JsonNode state = ok(get(alice, room + "/state"));
        var types = new ArrayList<String>();
        state.forEach(e -> types.add(e.path("type").asText()));
        assertThat(types).contains("m.room.create", "m.room.member", "m.room.power_levels", "m.room.join_rules",
                "m.room.history_visibility", "m.room.name", "m.room.topic", "org.example.custom");

        JsonNode messages = ok(get(alice, room + "/messages?dir=b&limit=50"));
        assertThat(bodies(messages.path("chunk"))).containsExactly("hello");
        assertThat(messages.path("chunk").get(0).path("type").asText()).isEqualTo("org.example.custom");
        assertThat(ok(get(alice, "/joined_rooms")).path("joined_rooms").toString()).contains(roomId);
    }

    @Test
    void errorsOfCreateRoomAndSend() {
        User alice = newUser();
        User eve = newUser();
        error(post(alice, "/createRoom", "{\"room_version\":\"999\"}"), 400, "M_UNSUPPORTED_ROOM_VERSION");
        error(post(alice, "/createRoom", "{\"initial_state\":5}"), 400, "M_BAD_JSON");
        error(post(alice, "/createRoom", "{\"name\":"), 400, "M_NOT_JSON");
        error(post(alice, "/createRoom", "{\"invite\":[\"not a user\"]}"), 400, "M_INVALID_PARAM");
        error(client.request("POST", V3 + "/createRoom", "{}"), 401, "M_MISSING_TOKEN");
        String roomId = createRoom(alice, "{\"room_version\":\"11\"}");
        String room = "/rooms/" + enc(roomId);

        error(put(eve, room + "/send/m.room.message/1", "{\"body\":\"hi\"}"), 403, "M_FORBIDDEN");
        error(put(alice, room + "/send/m.room.message/2", "[1]"), 400, "M_BAD_JSON");
        error(put(alice, room + "/send/m.room.message/3", "{\"body\":\"" + "x".repeat(66_000) + "\"}"),
                413, "M_TOO_LARGE");
        error(put(alice, room + "/state/m.room.power_levels", "{\"users\":\"everyone\"}"), 403, "M_FORBIDDEN");
        error(get(alice, room + "/state/m.room.avatar"), 404, "M_NOT_FOUND");
        error(get(alice, room + "/event/$nope"), 404, "M_NOT_FOUND");
        error(get(eve, room + "/state"), 403, "M_FORBIDDEN");
        error(get(eve, room + "/messages?dir=b"), 403, "M_FORBIDDEN");
        error(get(alice, room + "/messages"), 400, "M_MISSING_PARAM");
        error(put(alice, "/rooms/" + enc("!unknown:test.local") + "/send/m.room.message/4", "{}"), 404, "M_NOT_FOUND");
        error(post(eve, "/join/" + enc(roomId), "{}"), 403, "M_FORBIDDEN");
    }

    @Test
    void membershipLifecycle() {
        User alice = newUser();
        User bob = newUser();
        User carol = newUser();
        String roomId = createRoom(alice, "{\"invite\":[\"" + bob.id() + "\"],\"is_direct\":true}");
        String room = "/rooms/" + enc(roomId);

        JsonNode invite = ok(get(alice, room + "/state/m.room.member/" + enc(bob.id())));
        assertThat(invite.path("membership").asText()).isEqualTo("invite");
        assertThat(invite.path("is_direct").asBoolean()).isTrue();
        assertThat(ok(post(bob, "/join/" + enc(roomId), "{}")).path("room_id").asText()).isEqualTo(roomId);
        ok(post(alice, room + "/invite", "{\"user_id\":\"" + carol.id() + "\"}"));
        ok(post(carol, room + "/join", "{}"));

        JsonNode joined = ok(get(alice, room + "/joined_members")).path("joined");
        assertThat(joined.has(alice.id()) && joined.has(bob.id()) && joined.has(carol.id())).isTrue();
        assertThat(ok(get(bob, room + "/members")).path("chunk").size()).isEqualTo(3);
        assertThat(ok(get(bob, room + "/members?membership=invite")).path("chunk").size()).isZero();

        error(post(bob, room + "/kick", "{\"user_id\":\"" + carol.id() + "\"}"), 403, "M_FORBIDDEN");
        ok(post(alice, room + "/kick", "{\"user_id\":\"" + carol.id() + "\",\"reason\":\"bye\"}"));
        ok(post(alice, room + "/ban", "{\"user_id\":\"" + carol.id() + "\"}"));
        error(post(carol, room + "/join", "{}"), 403, "M_FORBIDDEN");
        ok(post(alice, room + "/unban", "{\"user_id\":\"" + carol.id() + "\"}"));
        assertThat(ok(get(alice, room + "/state/m.room.member/" + enc(carol.id()))).path("membership").asText())
                .isEqualTo("leave");

        error(post(bob, room + "/forget", "{}"), 400, "M_UNKNOWN");
        ok(post(bob, room + "/leave", "{}"));
        assertThat(ok(get(bob, "/joined_rooms")).path("joined_rooms").toString()).doesNotContain(roomId);
        // A user who left still reads the state as it was when they left.
        assertThat(ok(get(bob, room + "/state/m.room.member/" + enc(bob.id()))).path("membership").asText())
                .isEqualTo("leave");
        ok(post(bob, room + "/forget", "{}"));
    }

    @Test
    void historyVisibilityLimitsWhatMessagesAndEventShow() {
        User alice = newUser();
        User bob = newUser();
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\",\"initial_state\":[{\"type\":"
                + "\"m.room.history_visibility\",\"content\":{\"history_visibility\":\"joined\"}}]}");
        String room = "/rooms/" + enc(roomId);
        String secret = sendText(alice, roomId, "before bob");
        ok(post(bob, room + "/join", "{}"));
        sendText(alice, roomId, "after bob");

        assertThat(bodies(ok(get(bob, room + "/messages?dir=b&limit=50")).path("chunk"))).containsExactly("after bob");
        error(get(bob, room + "/event/" + enc(secret)), 404, "M_NOT_FOUND");
        assertThat(bodies(ok(get(alice, room + "/messages?dir=b&limit=50")).path("chunk")))
                .containsExactly("after bob", "before bob");

        ok(put(alice, room + "/state/m.room.history_visibility", "{\"history_visibility\":\"world_readable\"}"));
        sendText(alice, roomId, "for everyone");
        User carol = newUser();
        assertThat(bodies(ok(get(carol, room + "/messages?dir=b&limit=50")).path("chunk")))
                .containsExactly("for everyone");
    }

    @Test
    void messagesPaginateBothWaysWithTokens() {
        User alice = newUser();
        String roomId = createRoom(alice, "{}");
        String room = "/rooms/" + enc(roomId);
        for (int i = 1; i <= 5; i++) {
            sendText(alice, roomId, "m" + i);
        }
        String filter = "&filter=" + enc("{\"types\":[\"m.room.message\"]}");
        JsonNode page1 = ok(get(alice, room + "/messages?dir=b&limit=2" + filter));
        assertThat(bodies(page1.path("chunk"))).containsExactly("m5", "m4");
        JsonNode page2 = ok(get(alice, room + "/messages?dir=b&limit=2&from=" + page1.path("end").asText() + filter));
        assertThat(bodies(page2.path("chunk"))).containsExactly("m3", "m2");
        JsonNode page3 = ok(get(alice, room + "/messages?dir=b&limit=2&from=" + page2.path("end").asText() + filter));
        assertThat(bodies(page3.path("chunk"))).containsExactly("m1");
        assertThat(page3.has("end")).as("the start of the room was reached").isFalse();

        JsonNode forward = ok(get(alice, room + "/messages?dir=f&limit=3&from=" + page2.path("end").asText() + filter));
        assertThat(bodies(forward.path("chunk"))).containsExactly("m2", "m3", "m4");
        JsonNode bounded = ok(get(alice, room + "/messages?dir=b&limit=10&from=" + page1.path("start").asText()
                + "&to=" + page2.path("end").asText() + filter));
        assertThat(bodies(bounded.path("chunk"))).containsExactly("m5", "m4", "m3", "m2");
        error(get(alice, room + "/messages?dir=b&from=garbage"), 400, "M_INVALID_PARAM");

        String m3 = ok(get(alice, room + "/messages?dir=b&limit=3" + filter)).path("chunk").get(2).path("event_id").asText();
        JsonNode context = ok(get(alice, room + "/context/" + enc(m3) + "?limit=4" + filter));
        assertThat(context.path("event").path("content").path("body").asText()).isEqualTo("m3");
        assertThat(bodies(context.path("events_before"))).containsExactly("m2", "m1");
        assertThat(bodies(context.path("events_after"))).containsExactly("m4", "m5");
        assertThat(context.path("state").size()).isGreaterThan(3);
        JsonNode older = ok(get(alice, room + "/messages?dir=b&limit=1&from=" + context.path("start").asText()));
        assertThat(older.path("chunk").get(0).path("type").asText()).isNotEqualTo("m.room.message");
        error(get(alice, room + "/context/" + enc("$missing")), 404, "M_NOT_FOUND");
        error(get(alice, room + "/messages?dir=x"), 400, "M_INVALID_PARAM");
    }

    @Test
    void redactionStripsTheContent() {
        User alice = newUser();
        User bob = newUser();
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\"}");
        String room = "/rooms/" + enc(roomId);
        ok(post(bob, room + "/join", "{}"));
        String mine = sendText(alice, roomId, "regret");

        error(put(bob, room + "/redact/" + enc(mine) + "/r1", "{}"), 403, "M_FORBIDDEN");
        String redaction = ok(put(alice, room + "/redact/" + enc(mine) + "/r1", "{\"reason\":\"typo\"}"))
                .path("event_id").asText();
        assertThat(ok(put(alice, room + "/redact/" + enc(mine) + "/r1", "{\"reason\":\"typo\"}"))
                .path("event_id").asText()).isEqualTo(redaction);
        JsonNode event = ok(get(bob, room + "/event/" + enc(mine)));
        assertThat(event.path("content").size()).isZero();
        assertThat(event.path("unsigned").path("redacted_because").path("event_id").asText()).isEqualTo(redaction);
        assertThat(ok(get(bob, room + "/event/" + enc(redaction))).path("content").path("redacts").asText())
                .isEqualTo(mine);
    }

    @Test
    void guestsCannotCreateRoomsAndJoinOnlyWhereGuestAccessAllows() {
        User alice = newUser();
        JsonNode registered = ok(client.request("POST", V3 + "/register?kind=guest", "{}"));
        User guest = new User(registered.path("user_id").asText(), registered.path("access_token").asText());
        error(post(guest, "/createRoom", "{}"), 403, "M_GUEST_ACCESS_FORBIDDEN");
        String closed = createRoom(alice, "{\"preset\":\"public_chat\"}");
        error(post(guest, "/rooms/" + enc(closed) + "/join", "{}"), 403, "M_GUEST_ACCESS_FORBIDDEN");
        String open = createRoom(alice, "{\"preset\":\"public_chat\",\"initial_state\":[{\"type\":"
                + "\"m.room.guest_access\",\"content\":{\"guest_access\":\"can_join\"}}]}");
        error(post(guest, "/join/" + enc(open), "{}"), 403, "M_GUEST_ACCESS_FORBIDDEN");
        ok(post(guest, "/rooms/" + enc(open) + "/join", "{}"));
        sendText(guest, open, "guest here");
        error(post(guest, "/rooms/" + enc(open) + "/invite", "{\"user_id\":\"" + alice.id() + "\"}"),
                403, "M_GUEST_ACCESS_FORBIDDEN");
        ok(post(guest, "/rooms/" + enc(open) + "/leave", "{}"));
    }

    @Test
    void aliasesAndThePublicDirectory() {
        User alice = newUser();
        User bob = newUser();
        String name = "lobby" + TXN.incrementAndGet();
        String alias = "#" + name + ":test.local";
        String roomId = createRoom(alice, "{\"visibility\":\"public\",\"preset\":\"public_chat\","
                + "\"room_alias_name\":\"" + name + "\",\"name\":\"The " + name + "\"}");
        error(post(alice, "/createRoom", "{\"room_alias_name\":\"" + name + "\"}"), 400, "M_ROOM_IN_USE");

        JsonNode resolved = ok(get(bob, "/directory/room/" + enc(alias)));
        assertThat(resolved.path("room_id").asText()).isEqualTo(roomId);
        assertThat(ok(post(bob, "/join/" + enc(alias), "{}")).path("room_id").asText()).isEqualTo(roomId);
        assertThat(ok(get(alice, "/rooms/" + enc(roomId) + "/state/m.room.canonical_alias")).path("alias").asText())
                .isEqualTo(alias);

        error(put(alice, "/rooms/" + enc(roomId) + "/state/m.room.canonical_alias",
                "{\"alias\":\"#nowhere:test.local\"}"), 400, "M_BAD_ALIAS");
        error(put(alice, "/rooms/" + enc(roomId) + "/state/m.room.canonical_alias",
                "{\"alias\":\"not-an-alias\"}"), 400, "M_INVALID_PARAM");
        ok(put(alice, "/rooms/" + enc(roomId) + "/state/m.room.canonical_alias",
                "{\"alias\":\"" + alias + "\",\"alt_aliases\":[\"#elsewhere:other.example\"]}"));
        String second = "#other" + TXN.incrementAndGet() + ":test.local";
        ok(put(bob, "/directory/room/" + enc(second), "{\"room_id\":\"" + roomId + "\"}"));
        error(put(bob, "/directory/room/" + enc(second), "{\"room_id\":\"" + roomId + "\"}"), 409, "M_UNKNOWN");
        assertThat(ok(get(alice, "/rooms/" + enc(roomId) + "/aliases")).path("aliases").size()).isEqualTo(2);
        error(client.request("DELETE", V3 + "/directory/room/" + enc(alias), null, bob.token()), 403, "M_FORBIDDEN");
        ok(client.request("DELETE", V3 + "/directory/room/" + enc(second), null, bob.token()));
        error(get(bob, "/directory/room/" + enc(second)), 404, "M_NOT_FOUND");

        JsonNode publicRooms = ok(client.get(V3 + "/publicRooms"));
        var ids = new ArrayList<String>();
        publicRooms.path("chunk").forEach(r -> ids.add(r.path("room_id").asText()));
        assertThat(ids).contains(roomId);
        JsonNode searched = ok(post(alice, "/publicRooms", "{\"filter\":{\"generic_search_term\":\"" + name + "\"}}"));
        assertThat(searched.path("chunk").get(0).path("num_joined_members").asInt()).isEqualTo(2);
        assertThat(ok(get(alice, "/directory/list/room/" + enc(roomId))).path("visibility").asText()).isEqualTo("public");
    }

    @Test
    void publicRoomsFilterByRoomTypeAndPage() {
        var alice = newUser();
        String tag = "paging" + TXN.incrementAndGet();
        var created = new ArrayList<String>();
        for (int i = 0; i < 3; i++) {
            created.add(ok(post(alice, "/createRoom", "{\"preset\":\"public_chat\",\"visibility\":\"public\","
                    + "\"name\":\"" + tag + " room " + i + "\"}")).path("room_id").asText());
        }
        String space = ok(post(alice, "/createRoom", "{\"preset\":\"public_chat\",\"visibility\":\"public\","
                + "\"name\":\"" + tag + " space\",\"creation_content\":{\"type\":\"m.space\"}}"))
                .path("room_id").asText();
        String filter = "\"filter\":{\"generic_search_term\":\"" + tag + "\"";

        JsonNode spaces = ok(post(alice, "/publicRooms", "{" + filter + ",\"room_types\":[\"m.space\"]}}"));
        assertThat(spaces.path("chunk").findValuesAsText("room_id")).containsExactly(space);
        JsonNode untyped = ok(post(alice, "/publicRooms", "{" + filter + ",\"room_types\":[null]}}"));
        assertThat(untyped.path("chunk").findValuesAsText("room_id")).containsExactlyInAnyOrderElementsOf(created);

        var seen = new ArrayList<String>();
        JsonNode page = ok(post(alice, "/publicRooms", "{" + filter + "},\"limit\":3}"));
        page.path("chunk").forEach(r -> seen.add(r.path("room_id").asText()));
        assertThat(page.has("prev_batch")).isFalse();
        JsonNode next = ok(post(alice, "/publicRooms", "{" + filter + "},\"limit\":3,\"since\":\""
                + page.path("next_batch").asText() + "\"}"));
        next.path("chunk").forEach(r -> seen.add(r.path("room_id").asText()));
        assertThat(next.has("next_batch")).isFalse();
        assertThat(next.path("prev_batch").asText()).isEqualTo("p0");
        assertThat(seen).hasSize(4).doesNotHaveDuplicates().contains(space).containsAll(created);

        error(client.get(V3 + "/publicRooms?since=nonsense"), 400, "M_INVALID_PARAM");
        error(client.get(V3 + "/publicRooms?limit=many"), 400, "M_INVALID_PARAM");
        error(post(alice, "/publicRooms", "{\"filter\":{\"room_types\":\"m.space\"}}"), 400, "M_BAD_JSON");
    }
}
