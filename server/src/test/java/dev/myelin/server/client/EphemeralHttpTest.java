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

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.myelin.server.client.RoomsHttpTest.enc;
import static org.assertj.core.api.Assertions.assertThat;

/** Account data, tags, typing, receipts, read markers and presence over HTTP, on SQLite and PostgreSQL. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class EphemeralHttpTest {
    private static final String V3 = "/_matrix/client/v3";

    @Parameter
    Backend backend;

    static TestHomeserver server;
    static TestClient client;
    static final List<String> readUpTo = new CopyOnWriteArrayList<>();

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        server = TestHomeserver.start(backend, "registration.mode=open");
        client = server.client();
        RoomsHttpTest.client = client;
        server.homeserver().ephemeral().receipts().listen((userId, roomId, threadId, eventId, streamPos) ->
                readUpTo.add(userId + " " + roomId + " " + threadId + " " + eventId + " " + (streamPos > 0)));
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
    }

    static User newUser() {
        return RoomsHttpTest.newUser();
    }

    static Reply put(User user, String path, String body) {
        return client.request("PUT", V3 + path, body, user.token());
    }

    static Reply post(User user, String path, String body) {
        return client.request("POST", V3 + path, body, user.token());
    }

    static Reply delete(User user, String path) {
        return client.request("DELETE", V3 + path, null, user.token());
    }

    static Reply get(User user, String path) {
        return client.get(V3 + path, user.token());
    }

    static JsonNode ok(Reply reply) {
        return RoomsHttpTest.ok(reply);
    }

    static void error(Reply reply, int status, String errcode) {
        RoomsHttpTest.error(reply, status, errcode);
    }

    /** A room alice created and bob joined. */
    static String sharedRoom(User alice, User bob) {
        String roomId = RoomsHttpTest.createRoom(alice, "{\"preset\":\"public_chat\"}");
        ok(post(bob, "/join/" + enc(roomId), "{}"));
        return roomId;
    }

    @Test
    void globalAndRoomAccountData() {
        User alice = newUser();
        User bob = newUser();
        String mine = "/user/" + enc(alice.id());
        error(get(alice, mine + "/account_data/org.example.x"), 404, "M_NOT_FOUND");
        ok(put(alice, mine + "/account_data/org.example.x", "{\"a\":1}"));
        ok(put(alice, mine + "/account_data/org.example.x", "{\"a\":2}"));
        assertThat(ok(get(alice, mine + "/account_data/org.example.x")).path("a").asInt()).isEqualTo(2);
        ok(put(alice, mine + "/account_data/m.ignored_user_list", "{\"ignored_users\":{}}"));
        assertThat(server.homeserver().ephemeral().accountData().global(alice.id(), "m.ignored_user_list"))
                .isPresent();

        String room = mine + "/rooms/" + enc("!somewhere:test.local") + "/account_data/org.example.y";
        error(get(alice, room), 404, "M_NOT_FOUND");
        ok(put(alice, room, "{\"b\":true}"));
        assertThat(ok(get(alice, room)).path("b").asBoolean()).isTrue();
        error(get(alice, mine + "/account_data/org.example.y"), 404, "M_NOT_FOUND");

        // Only for yourself.
        error(get(bob, mine + "/account_data/org.example.x"), 403, "M_FORBIDDEN");
        error(put(bob, mine + "/account_data/org.example.x", "{}"), 403, "M_FORBIDDEN");
        error(get(bob, room), 403, "M_FORBIDDEN");
        error(put(bob, room, "{}"), 403, "M_FORBIDDEN");
        error(client.get(V3 + mine + "/account_data/org.example.x"), 401, "M_MISSING_TOKEN");
        // Server-managed types: 405 M_BAD_JSON, global and per room.
        error(put(alice, mine + "/account_data/m.fully_read", "{}"), 405, "M_BAD_JSON");
        error(put(alice, mine + "/account_data/m.push_rules", "{}"), 405, "M_BAD_JSON");
        // ... but they read as usual: push rules come from the push rules service.
        assertThat(ok(get(alice, mine + "/account_data/m.push_rules")).path("global").has("override")).isTrue();
        error(put(alice, mine + "/rooms/" + enc("!somewhere:test.local") + "/account_data/m.fully_read", "{}"),
                405, "M_BAD_JSON");
        // Bad bodies and room ids.
        error(put(alice, mine + "/account_data/org.example.x", "{\"a\":"), 400, "M_NOT_JSON");
        error(put(alice, mine + "/account_data/org.example.x", "[1]"), 400, "M_BAD_JSON");
        error(put(alice, mine + "/rooms/not-a-room/account_data/org.example.y", "{}"), 400, "M_INVALID_PARAM");
        error(get(alice, mine + "/rooms/not-a-room/account_data/org.example.y"), 400, "M_INVALID_PARAM");
        assertThat(ok(get(alice, mine + "/account_data/org.example.x")).path("a").asInt()).isEqualTo(2);
    }

    @Test
    void tagsAreTheRoomsMTagAccountData() {
        User alice = newUser();
        User bob = newUser();
        String roomId = "!tagged:test.local";
        String tags = "/user/" + enc(alice.id()) + "/rooms/" + enc(roomId) + "/tags";
        assertThat(ok(get(alice, tags)).path("tags").isEmpty()).isTrue();
        ok(put(alice, tags + "/m.favourite", "{\"order\":0.25}"));
        ok(put(alice, tags + "/u.work", "{}"));
        JsonNode listed = ok(get(alice, tags)).path("tags");
        assertThat(listed.path("m.favourite").path("order").asDouble()).isEqualTo(0.25);
        assertThat(listed.has("u.work")).isTrue();
        JsonNode mTag = ok(get(alice, "/user/" + enc(alice.id()) + "/rooms/" + enc(roomId) + "/account_data/m.tag"));
        assertThat(mTag.path("tags").path("m.favourite").path("order").asDouble()).isEqualTo(0.25);

        ok(delete(alice, tags + "/m.favourite"));
        ok(delete(alice, tags + "/m.never.set"));
        assertThat(ok(get(alice, tags)).path("tags").fieldNames()).toIterable().containsExactly("u.work");

        error(put(alice, tags + "/u.x", "{\"order\":1.5}"), 400, "M_INVALID_PARAM");
        error(put(alice, tags + "/u.x", "{\"order\":\"first\"}"), 400, "M_BAD_JSON");
        error(put(alice, tags + "/" + "t".repeat(256), "{}"), 400, "M_INVALID_PARAM");
        error(put(alice, tags + "/u.x", "[]"), 400, "M_BAD_JSON");
        error(get(bob, tags), 403, "M_FORBIDDEN");
        error(put(bob, tags + "/u.x", "{}"), 403, "M_FORBIDDEN");
        error(delete(bob, tags + "/u.work"), 403, "M_FORBIDDEN");
        error(get(alice, "/user/" + enc(alice.id()) + "/rooms/nope/tags"), 400, "M_INVALID_PARAM");
    }

    @Test
    void typingNeedsMembershipAndExpires() throws Exception {
        User alice = newUser();
        User bob = newUser();
        User eve = newUser();
        String roomId = sharedRoom(alice, bob);
        String aliceTyping = "/rooms/" + enc(roomId) + "/typing/" + enc(alice.id());
        var typing = server.homeserver().ephemeral().typing();
        long before = typing.currentPosition();

        ok(put(alice, aliceTyping, "{\"typing\":true,\"timeout\":30000}"));
        // Typing is activity: presence online and currently active.
        assertThat(server.homeserver().ephemeral().presence().orElseThrow().get(alice.id()).orElseThrow()
                .currentlyActive()).isTrue();
        ok(put(bob, "/rooms/" + enc(roomId) + "/typing/" + enc(bob.id()), "{\"typing\":true,\"timeout\":300}"));
        assertThat(typing.typing(roomId)).containsExactly(alice.id(), bob.id());
        assertThat(typing.currentPosition()).isEqualTo(before + 2);
        // Renewing changes nothing others see.
        ok(put(alice, aliceTyping, "{\"typing\":true,\"timeout\":30000}"));
        assertThat(typing.currentPosition()).isEqualTo(before + 2);
        ok(put(alice, aliceTyping, "{\"typing\":false}"));
        assertThat(typing.typing(roomId)).containsExactly(bob.id());
        long deadline = System.currentTimeMillis() + 5000;
        while (!typing.typing(roomId).isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(typing.typing(roomId)).isEmpty();
        assertThat(typing.currentPosition()).isEqualTo(before + 4);

        error(put(eve, "/rooms/" + enc(roomId) + "/typing/" + enc(eve.id()), "{\"typing\":true}"), 403, "M_FORBIDDEN");
        error(put(bob, aliceTyping, "{\"typing\":true}"), 403, "M_FORBIDDEN");
        error(put(alice, aliceTyping, "{}"), 400, "M_MISSING_PARAM");
        error(put(alice, aliceTyping, "{\"typing\":\"yes\"}"), 400, "M_BAD_JSON");
        error(put(alice, aliceTyping, "{\"typing\":true,\"timeout\":\"long\"}"), 400, "M_BAD_JSON");
        error(put(alice, aliceTyping, "{\"typing\":true,\"timeout\":-1}"), 400, "M_INVALID_PARAM");
        error(put(alice, "/rooms/" + enc("!nowhere:test.local") + "/typing/" + enc(alice.id()), "{\"typing\":true}"),
                403, "M_FORBIDDEN");
        assertThat(typing.typing(roomId)).isEmpty();
    }

    @Test
    void receiptsAndReadMarkers() {
        User alice = newUser();
        User bob = newUser();
        User eve = newUser();
        String roomId = sharedRoom(alice, bob);
        String room = "/rooms/" + enc(roomId);
        String first = RoomsHttpTest.sendText(alice, roomId, "one");
        String second = RoomsHttpTest.sendText(alice, roomId, "two");
        readUpTo.clear();

        ok(post(bob, room + "/receipt/m.read/" + enc(second), "{}"));
        ok(post(bob, room + "/receipt/m.read.private/" + enc(first), "{\"thread_id\":\"main\"}"));
        assertThat(readUpTo).containsExactly(bob.id() + " " + roomId + " null " + second + " true",
                bob.id() + " " + roomId + " main " + first + " true");
        ok(post(bob, room + "/receipt/m.fully_read/" + enc(first), "{}"));
        JsonNode marker = ok(get(bob, "/user/" + enc(bob.id()) + "/rooms/" + enc(roomId) + "/account_data/m.fully_read"));
        assertThat(marker.path("event_id").asText()).isEqualTo(first);
        assertThat(readUpTo).hasSize(2);

        readUpTo.clear();
        ok(post(bob, room + "/read_markers", "{\"m.fully_read\":\"" + second + "\",\"m.read\":\"" + second
                + "\",\"m.read.private\":\"" + second + "\"}"));
        marker = ok(get(bob, "/user/" + enc(bob.id()) + "/rooms/" + enc(roomId) + "/account_data/m.fully_read"));
        assertThat(marker.path("event_id").asText()).isEqualTo(second);
        assertThat(readUpTo).hasSize(2);

        // Threads: a reply in a thread may carry the root's thread id; anything else is refused.
        String reply = ok(put(alice, room + "/send/m.room.message/thr1", "{\"msgtype\":\"m.text\",\"body\":\"r\","
                + "\"m.relates_to\":{\"rel_type\":\"m.thread\",\"event_id\":\"" + first + "\"}}")).path("event_id")
                .asText();
        ok(post(bob, room + "/receipt/m.read/" + enc(reply), "{\"thread_id\":\"" + first + "\"}"));
        ok(post(bob, room + "/receipt/m.read/" + enc(first), "{\"thread_id\":\"" + first + "\"}"));
        error(post(bob, room + "/receipt/m.read/" + enc(second), "{\"thread_id\":\"" + first + "\"}"),
                400, "M_INVALID_PARAM");

        error(post(bob, room + "/receipt/m.read/" + enc(second), "{\"thread_id\":\"\"}"), 400, "M_INVALID_PARAM");
        error(post(bob, room + "/receipt/m.read/" + enc(second), "{\"thread_id\":5}"), 400, "M_INVALID_PARAM");
        error(post(bob, room + "/receipt/m.fully_read/" + enc(second), "{\"thread_id\":\"main\"}"),
                400, "M_INVALID_PARAM");
        error(post(bob, room + "/receipt/m.unknown/" + enc(second), "{}"), 400, "M_INVALID_PARAM");
        error(post(bob, room + "/receipt/m.read/" + enc("$missing"), "{}"), 404, "M_NOT_FOUND");
        error(post(bob, room + "/read_markers", "{\"m.fully_read\":\"$missing\"}"), 404, "M_NOT_FOUND");
        error(post(bob, room + "/read_markers", "{\"m.read\":5}"), 400, "M_BAD_JSON");
        error(post(bob, room + "/read_markers", "{"), 400, "M_NOT_JSON");
        error(post(eve, room + "/receipt/m.read/" + enc(second), "{}"), 403, "M_FORBIDDEN");
        error(post(eve, room + "/read_markers", "{\"m.fully_read\":\"" + second + "\"}"), 403, "M_FORBIDDEN");
        // A receipt for an event of another room.
        String other = RoomsHttpTest.createRoom(bob, "{}");
        error(post(bob, "/rooms/" + enc(other) + "/receipt/m.read/" + enc(second), "{}"), 404, "M_NOT_FOUND");
        // The failed read_markers wrote nothing: the marker still points at the second event.
        error(post(bob, room + "/read_markers", "{\"m.fully_read\":\"" + first + "\",\"m.read\":\"$missing\"}"),
                404, "M_NOT_FOUND");
        marker = ok(get(bob, "/user/" + enc(bob.id()) + "/rooms/" + enc(roomId) + "/account_data/m.fully_read"));
        assertThat(marker.path("event_id").asText()).isEqualTo(second);
    }

    @Test
    void presenceIsVisibleToSelfAndThoseSharingARoom() {
        User alice = newUser();
        User bob = newUser();
        User eve = newUser();
        sharedRoom(alice, bob);
        String alicePresence = "/presence/" + enc(alice.id()) + "/status";
        assertThat(ok(get(eve, "/presence/" + enc(eve.id()) + "/status")).path("presence").asText())
                .as("a user who never did anything").isEqualTo("offline");
        assertThat(ok(get(alice, alicePresence)).path("presence").asText()).as("creating the room was activity")
                .isEqualTo("online");
        ok(put(alice, alicePresence, "{\"presence\":\"online\",\"status_msg\":\"Here\"}"));
        JsonNode seen = ok(get(bob, alicePresence));
        assertThat(seen.path("presence").asText()).isEqualTo("online");
        assertThat(seen.path("status_msg").asText()).isEqualTo("Here");
        assertThat(seen.path("currently_active").asBoolean()).isTrue();
        assertThat(seen.path("last_active_ago").asLong()).isBetween(0L, 60_000L);
        ok(put(alice, alicePresence, "{\"presence\":\"unavailable\"}"));
        seen = ok(get(alice, alicePresence));
        assertThat(seen.path("presence").asText()).isEqualTo("unavailable");
        assertThat(seen.has("status_msg")).isFalse();
        assertThat(seen.has("currently_active")).isFalse();

        error(get(eve, alicePresence), 403, "M_FORBIDDEN");
        error(put(bob, alicePresence, "{\"presence\":\"online\"}"), 403, "M_FORBIDDEN");
        error(put(alice, alicePresence, "{}"), 400, "M_MISSING_PARAM");
        error(put(alice, alicePresence, "{\"presence\":\"busy\"}"), 400, "M_INVALID_PARAM");
        error(put(alice, alicePresence, "{\"presence\":\"online\",\"status_msg\":3}"), 400, "M_BAD_JSON");
        error(get(alice, "/presence/not-a-user/status"), 400, "M_INVALID_PARAM");
    }

    @Test
    void withPresenceTurnedOffEveryoneIsOffline() throws Exception {
        try (var off = TestHomeserver.start(backend, "registration.mode=open", "presence.enabled=false")) {
            var previous = RoomsHttpTest.client;
            RoomsHttpTest.client = off.client();
            try {
                User alice = RoomsHttpTest.newUser();
                String path = V3 + "/presence/" + enc(alice.id()) + "/status";
                ok(off.client().request("PUT", path, "{\"presence\":\"online\"}", alice.token()));
                assertThat(ok(off.client().get(path, alice.token())).path("presence").asText()).isEqualTo("offline");
                error(off.client().request("PUT", path, "{\"presence\":\"away\"}", alice.token()), 400, "M_INVALID_PARAM");
                assertThat(off.homeserver().ephemeral().presence()).isEmpty();
            } finally {
                RoomsHttpTest.client = previous;
            }
        }
    }
}
