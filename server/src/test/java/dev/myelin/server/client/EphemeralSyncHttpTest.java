package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.client.RoomsHttpTest.User;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestHomeserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.myelin.server.client.RoomsHttpTest.enc;
import static org.assertj.core.api.Assertions.assertThat;

/** What /sync shows of account data, tags, typing, receipts and presence, initial and incremental, on both databases. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class EphemeralSyncHttpTest {
    private static final String V3 = "/_matrix/client/v3";

    @Parameter
    Backend backend;

    static TestHomeserver server;
    static TestClient client;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        server = TestHomeserver.start(backend, "registration.mode=open");
        client = server.client();
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        server.close();
    }

    static User newUser() {
        RoomsHttpTest.client = client;
        return RoomsHttpTest.newUser();
    }

    static JsonNode ok(TestClient.Reply reply) {
        return RoomsHttpTest.ok(reply);
    }

    /** A sync that leaves presence alone unless the query sets it, so that presence changes do not wake others. */
    static JsonNode sync(User user, String query) {
        String presence = query.contains("set_presence=") ? "" : "&set_presence=offline";
        return ok(client.get(V3 + "/sync?" + query + presence, user.token()));
    }

    static JsonNode syncSince(User user, JsonNode previous) {
        return sync(user, "timeout=0&since=" + enc(previous.path("next_batch").asText()));
    }

    static void put(User user, String path, String body) {
        ok(client.request("PUT", V3 + path, body, user.token()));
    }

    static void post(User user, String path, String body) {
        ok(client.request("POST", V3 + path, body, user.token()));
    }

    static String sharedRoom(User alice, User bob) {
        String roomId = ok(client.request("POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}", alice.token()))
                .path("room_id").asText();
        post(bob, "/join/" + enc(roomId), "{}");
        return roomId;
    }

    static List<JsonNode> events(JsonNode section, String type) {
        var out = new ArrayList<JsonNode>();
        section.path("events").forEach(e -> {
            if (e.path("type").asText().equals(type)) {
                out.add(e);
            }
        });
        return out;
    }

    static JsonNode room(JsonNode sync, String roomId) {
        return sync.path("rooms").path("join").path(roomId);
    }

    @Test
    void accountDataAndTagsInitialAndIncremental() {
        User alice = newUser();
        String roomId = ok(client.request("POST", V3 + "/createRoom", "{}", alice.token())).path("room_id").asText();
        String user = "/user/" + enc(alice.id());
        put(alice, user + "/account_data/org.example.a", "{\"v\":1}");
        put(alice, user + "/rooms/" + enc(roomId) + "/account_data/org.example.r", "{\"v\":2}");
        put(alice, user + "/rooms/" + enc("!notjoined:test.local") + "/account_data/org.example.r", "{\"v\":3}");

        JsonNode initial = sync(alice, "");
        assertThat(events(initial.path("account_data"), "org.example.a")).singleElement()
                .satisfies(e -> assertThat(e.path("content").path("v").asInt()).isEqualTo(1));
        assertThat(events(room(initial, roomId).path("account_data"), "org.example.r")).singleElement()
                .satisfies(e -> assertThat(e.path("content").path("v").asInt()).isEqualTo(2));
        assertThat(initial.path("rooms").path("join").has("!notjoined:test.local")).isFalse();

        JsonNode quiet = syncSince(alice, initial);
        assertThat(quiet.path("account_data").path("events")).isEmpty();
        put(alice, user + "/account_data/org.example.b", "{\"v\":4}");
        put(alice, user + "/rooms/" + enc(roomId) + "/tags/m.favourite", "{\"order\":0.5}");
        JsonNode next = syncSince(alice, quiet);
        assertThat(next.path("account_data").path("events")).extracting(e -> e.path("type").asText())
                .containsExactly("org.example.b");
        assertThat(events(room(next, roomId).path("account_data"), "m.tag")).singleElement()
                .satisfies(e -> assertThat(e.path("content").path("tags").path("m.favourite").path("order").asDouble())
                        .isEqualTo(0.5));
        assertThat(events(room(next, roomId).path("account_data"), "org.example.r")).isEmpty();
        // Another user's sync sees none of it.
        User bob = newUser();
        assertThat(events(sync(bob, "").path("account_data"), "org.example.a")).isEmpty();
    }

    @Test
    void typingWakesTheOtherMembersLongPoll() throws Exception {
        User alice = newUser();
        User bob = newUser();
        String roomId = sharedRoom(alice, bob);
        JsonNode initial = sync(bob, "");
        JsonNode settled = syncSince(bob, initial);
        var poll = CompletableFuture.supplyAsync(() -> sync(bob, "timeout=10000&since="
                + enc(settled.path("next_batch").asText())));
        Thread.sleep(300);
        put(alice, "/rooms/" + enc(roomId) + "/typing/" + enc(alice.id()), "{\"typing\":true,\"timeout\":20000}");
        JsonNode woken = poll.get(10, TimeUnit.SECONDS);
        assertThat(events(room(woken, roomId).path("ephemeral"), "m.typing")).singleElement()
                .satisfies(e -> assertThat(e.path("content").path("user_ids")).extracting(JsonNode::asText)
                        .containsExactly(alice.id()));
        // A newly joined member learns who is typing; stopping sends the empty list.
        User carol = newUser();
        JsonNode carolBefore = sync(carol, "");
        post(carol, "/join/" + enc(roomId), "{}");
        assertThat(events(room(syncSince(carol, carolBefore), roomId).path("ephemeral"), "m.typing")).hasSize(1);
        put(alice, "/rooms/" + enc(roomId) + "/typing/" + enc(alice.id()), "{\"typing\":false}");
        JsonNode stopped = syncSince(bob, woken);
        assertThat(events(room(stopped, roomId).path("ephemeral"), "m.typing")).singleElement()
                .satisfies(e -> assertThat(e.path("content").path("user_ids")).isEmpty());
        assertThat(events(room(syncSince(bob, stopped), roomId).path("ephemeral"), "m.typing")).isEmpty();
    }

    @Test
    void receiptsReachTheRoomAndPrivateOnesOnlyTheirOwner() throws Exception {
        User alice = newUser();
        User bob = newUser();
        String roomId = sharedRoom(alice, bob);
        String room = "/rooms/" + enc(roomId);
        String event = ok(client.request("PUT", V3 + room + "/send/m.room.message/r1",
                "{\"msgtype\":\"m.text\",\"body\":\"hi\"}", alice.token())).path("event_id").asText();
        JsonNode bobBefore = syncSince(bob, sync(bob, ""));
        JsonNode aliceBefore = syncSince(alice, sync(alice, ""));

        var poll = CompletableFuture.supplyAsync(() -> sync(bob, "timeout=10000&since="
                + enc(bobBefore.path("next_batch").asText())));
        Thread.sleep(300);
        post(alice, room + "/receipt/m.read/" + enc(event), "{\"thread_id\":\"main\"}");
        JsonNode woken = poll.get(10, TimeUnit.SECONDS);
        JsonNode receipt = events(room(woken, roomId).path("ephemeral"), "m.receipt").getFirst();
        JsonNode read = receipt.path("content").path(event).path("m.read").path(alice.id());
        assertThat(read.path("ts").asLong()).isPositive();
        assertThat(read.path("thread_id").asText()).isEqualTo("main");

        post(bob, room + "/receipt/m.read.private/" + enc(event), "{}");
        JsonNode bobSees = syncSince(bob, woken);
        assertThat(events(room(bobSees, roomId).path("ephemeral"), "m.receipt").getFirst().path("content")
                .path(event).path("m.read.private").has(bob.id())).isTrue();
        JsonNode aliceSees = syncSince(alice, aliceBefore);
        assertThat(events(room(aliceSees, roomId).path("ephemeral"), "m.receipt").getFirst().path("content")
                .path(event).has("m.read.private")).isFalse();
        // An initial sync carries the current receipts.
        JsonNode initial = sync(alice, "");
        JsonNode content = events(room(initial, roomId).path("ephemeral"), "m.receipt").getFirst().path("content");
        assertThat(content.path(event).path("m.read").has(alice.id())).isTrue();
        assertThat(content.path(event).has("m.read.private")).isFalse();
        // The fully read marker is room account data.
        post(bob, room + "/read_markers", "{\"m.fully_read\":\"" + event + "\"}");
        JsonNode marker = syncSince(bob, bobSees);
        assertThat(events(room(marker, roomId).path("account_data"), "m.fully_read")).singleElement()
                .satisfies(e -> assertThat(e.path("content").path("event_id").asText()).isEqualTo(event));
    }

    @Test
    void presenceReachesThoseSharingARoom() throws Exception {
        User alice = newUser();
        User bob = newUser();
        User eve = newUser();
        sharedRoom(alice, bob);
        ok(client.request("POST", V3 + "/createRoom", "{}", eve.token()));
        JsonNode bobBefore = syncSince(bob, sync(bob, "set_presence=offline"));
        JsonNode eveBefore = syncSince(eve, sync(eve, "set_presence=offline"));

        var poll = CompletableFuture.supplyAsync(() -> sync(bob, "set_presence=offline&timeout=10000&since="
                + enc(bobBefore.path("next_batch").asText())));
        Thread.sleep(300);
        put(alice, "/presence/" + enc(alice.id()) + "/status", "{\"presence\":\"online\",\"status_msg\":\"hi\"}");
        JsonNode woken = poll.get(10, TimeUnit.SECONDS);
        JsonNode presence = events(woken.path("presence"), "m.presence").stream()
                .filter(e -> e.path("sender").asText().equals(alice.id())).findFirst().orElseThrow();
        assertThat(presence.path("content").path("presence").asText()).isEqualTo("online");
        assertThat(presence.path("content").path("status_msg").asText()).isEqualTo("hi");
        assertThat(presence.path("content").path("currently_active").asBoolean()).isTrue();
        assertThat(events(syncSince(eve, eveBefore).path("presence"), "m.presence")).isEmpty();
        // An initial sync shows the members who are not offline.
        assertThat(events(sync(bob, "set_presence=offline").path("presence"), "m.presence"))
                .extracting(e -> e.path("sender").asText()).contains(alice.id());
    }

    @Test
    void syncingBringsAnOfflineUserOnline() {
        User carol = newUser();
        String status = V3 + "/presence/" + enc(carol.id()) + "/status";
        sync(carol, "set_presence=offline");
        assertThat(ok(client.get(status, carol.token())).path("presence").asText()).isEqualTo("offline");
        sync(carol, "set_presence=unavailable");
        assertThat(ok(client.get(status, carol.token())).path("presence").asText()).isEqualTo("unavailable");
        put(carol, "/presence/" + enc(carol.id()) + "/status", "{\"presence\":\"offline\"}");
        JsonNode initial = sync(carol, "set_presence=online");
        assertThat(ok(client.get(status, carol.token())).path("presence").asText()).isEqualTo("online");
        assertThat(events(initial.path("presence"), "m.presence")).extracting(e -> e.path("sender").asText())
                .contains(carol.id());
    }
}
