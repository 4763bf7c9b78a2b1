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
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.myelin.server.client.RoomsHttpTest.enc;
import static org.assertj.core.api.Assertions.assertThat;

/** GET /sync and the filter API over HTTP, on SQLite and PostgreSQL. */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class SyncHttpTest {
    private static final String V3 = "/_matrix/client/v3";
    private static final AtomicInteger TXN = new AtomicInteger();

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

    private static User newUser() {
        RoomsHttpTest.client = client;
        return RoomsHttpTest.newUser();
    }

    private static JsonNode ok(TestClient.Reply reply) {
        return RoomsHttpTest.ok(reply);
    }

    private static JsonNode sync(User user, String query) {
        return ok(client.get(V3 + "/sync" + (query.isEmpty() ? "" : "?" + query), user.token()));
    }

    private static String createRoom(User user, String body) {
        return ok(client.request("POST", V3 + "/createRoom", body, user.token())).path("room_id").asText();
    }

    private static String send(User user, String roomId, String body) {
        return ok(client.request("PUT", V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/s" + TXN.incrementAndGet(),
                "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}", user.token())).path("event_id").asText();
    }

    private static void post(User user, String path, String body) {
        ok(client.request("POST", V3 + path, body, user.token()));
    }

    private static List<String> bodies(JsonNode events) {
        var out = new ArrayList<String>();
        events.forEach(e -> {
            if (e.path("type").asText().equals("m.room.message")) {
                out.add(e.path("content").path("body").asText());
            }
        });
        return out;
    }

    /** A state event as the client sees it: in the state section, or in the timeline after it. */
    private static JsonNode roomState(JsonNode room, String type, String stateKey) {
        JsonNode inTimeline = stateEvent(room.path("timeline").path("events"), type, stateKey);
        return inTimeline != null ? inTimeline : stateEvent(room.path("state").path("events"), type, stateKey);
    }

    private static JsonNode stateEvent(JsonNode events, String type, String stateKey) {
        for (JsonNode event : events) {
            if (event.path("type").asText().equals(type) && event.path("state_key").asText().equals(stateKey)) {
                return event;
            }
        }
        return null;
    }

    @Test
    void initialThenIncrementalSync() {
        User alice = newUser();
        String roomId = createRoom(alice, "{\"name\":\"Lobby\"}");
        send(alice, roomId, "one");
        JsonNode initial = sync(alice, "");
        JsonNode room = initial.path("rooms").path("join").path(roomId);
        assertThat(roomState(room, "m.room.name", "").path("content").path("name").asText()).isEqualTo("Lobby");
        assertThat(bodies(room.path("timeline").path("events"))).containsExactly("one");
        assertThat(room.path("timeline").path("events")).hasSize(8);
        assertThat(room.path("timeline").path("limited").asBoolean()).isFalse();
        JsonNode small = sync(alice, "filter=" + enc("{\"room\":{\"timeline\":{\"limit\":1}}}"))
                .path("rooms").path("join").path(roomId);
        assertThat(small.path("timeline").path("limited").asBoolean()).isTrue();
        assertThat(stateEvent(small.path("state").path("events"), "m.room.name", "")).isNotNull();
        assertThat(room.path("summary").path("m.joined_member_count").asInt()).isEqualTo(1);
        String since = initial.path("next_batch").asText();

        JsonNode empty = sync(alice, "since=" + enc(since));
        assertThat(empty.path("rooms").path("join").has(roomId)).isFalse();
        assertThat(empty.path("next_batch").asText()).isEqualTo(since);

        send(alice, roomId, "two");
        send(alice, roomId, "three");
        JsonNode next = sync(alice, "since=" + enc(since));
        JsonNode timeline = next.path("rooms").path("join").path(roomId).path("timeline");
        assertThat(bodies(timeline.path("events"))).containsExactly("two", "three");
        assertThat(timeline.path("limited").asBoolean()).isFalse();
        assertThat(timeline.path("events").get(0).path("unsigned").has("transaction_id")).isTrue();
        assertThat(next.path("rooms").path("join").path(roomId).path("state").path("events")).isEmpty();
    }

    @Test
    void aLongPollWakesWhenAnotherUserSpeaks() throws Exception {
        User alice = newUser();
        User bob = newUser();
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\"}");
        post(bob, "/join/" + enc(roomId), "{}");
        String since = sync(bob, "").path("next_batch").asText();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<JsonNode> polled = CompletableFuture.supplyAsync(
                    () -> sync(bob, "timeout=20000&since=" + enc(since)), executor);
            Thread.sleep(300);
            assertThat(polled).isNotDone();
            String otherRoom = createRoom(alice, "{}"); // not Bob's: must not wake him with an empty answer
            Thread.sleep(200);
            assertThat(polled).isNotDone();
            send(alice, roomId, "wake up");
            JsonNode woke = polled.get(10, TimeUnit.SECONDS);
            assertThat(bodies(woke.path("rooms").path("join").path(roomId).path("timeline").path("events")))
                    .containsExactly("wake up");
            assertThat(woke.path("rooms").path("join").has(otherRoom)).isFalse();
        }
    }

    @Test
    void aLongPollWithATokenBehindAnyStreamAnswersAtOnce() throws Exception {
        User alice = newUser();
        String since = sync(alice, "").path("next_batch").asText();
        ok(client.request("PUT", V3 + "/user/" + enc(alice.id()) + "/account_data/org.example.behind",
                "{\"n\":1}", alice.token()));
        long started = System.nanoTime();
        JsonNode answer = sync(alice, "timeout=20000&since=" + enc(since));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(10_000);
        assertThat(answer.path("account_data").path("events").findValuesAsText("type"))
                .contains("org.example.behind");
        assertThat(answer.path("next_batch").asText()).isNotEqualTo(since);

        String roomId = createRoom(alice, "{}");
        String afterRoom = sync(alice, "since=" + enc(answer.path("next_batch").asText())).path("next_batch").asText();
        User bob = newUser();
        createRoom(bob, "{}"); // moves the shared events stream, for Bob only
        send(alice, roomId, "while away");
        JsonNode message = sync(alice, "timeout=20000&since=" + enc(afterRoom));
        assertThat(bodies(message.path("rooms").path("join").path(roomId).path("timeline").path("events")))
                .containsExactly("while away");
    }

    /**
     * A long-poll listens on the rooms its previous sync found (remembered, not read again): a room joined after
     * that sync must still wake it, through the join announced to the user, and then be listened on.
     */
    @Test
    void aLongPollListensOnRoomsJoinedSinceItsPreviousSync() throws Exception {
        User alice = newUser();
        User bob = newUser();
        String first = createRoom(alice, "{\"preset\":\"public_chat\"}");
        String second = createRoom(alice, "{\"preset\":\"public_chat\"}");
        post(bob, "/join/" + enc(first), "{}");
        String since = sync(bob, "").path("next_batch").asText();
        post(bob, "/join/" + enc(second), "{}"); // after the sync Bob's rooms were remembered from

        JsonNode joined = sync(bob, "timeout=20000&since=" + enc(since));
        assertThat(joined.path("rooms").path("join").has(second)).isTrue();
        String afterJoin = joined.path("next_batch").asText();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            CompletableFuture<JsonNode> polled = CompletableFuture.supplyAsync(
                    () -> sync(bob, "timeout=20000&since=" + enc(afterJoin)), executor);
            Thread.sleep(300);
            assertThat(polled).isNotDone();
            send(alice, second, "in the new room");
            JsonNode woke = polled.get(10, TimeUnit.SECONDS);
            assertThat(bodies(woke.path("rooms").path("join").path(second).path("timeline").path("events")))
                    .containsExactly("in the new room");

            // Joined while a long-poll from before the join is parked: the join itself wakes it.
            String third = createRoom(alice, "{\"preset\":\"public_chat\"}");
            String beforeThird = woke.path("next_batch").asText();
            CompletableFuture<JsonNode> parked = CompletableFuture.supplyAsync(
                    () -> sync(bob, "timeout=20000&since=" + enc(beforeThird)), executor);
            Thread.sleep(300);
            assertThat(parked).isNotDone();
            post(bob, "/join/" + enc(third), "{}");
            assertThat(parked.get(10, TimeUnit.SECONDS).path("rooms").path("join").has(third)).isTrue();
        }
    }

    @Test
    void invitesJoinsAndLeaves() {
        User alice = newUser();
        User bob = newUser();
        String roomId = createRoom(alice, "{\"name\":\"Secret\"}");
        String since = sync(bob, "").path("next_batch").asText();
        post(alice, "/rooms/" + enc(roomId) + "/invite", "{\"user_id\":\"" + bob.id() + "\"}");
        JsonNode invited = sync(bob, "timeout=5000&since=" + enc(since));
        JsonNode inviteState = invited.path("rooms").path("invite").path(roomId).path("invite_state").path("events");
        assertThat(stateEvent(inviteState, "m.room.name", "").path("content").path("name").asText())
                .isEqualTo("Secret");
        assertThat(stateEvent(inviteState, "m.room.create", "")).isNotNull();
        assertThat(stateEvent(inviteState, "m.room.member", bob.id()).path("sender").asText()).isEqualTo(alice.id());
        since = invited.path("next_batch").asText();

        post(bob, "/rooms/" + enc(roomId) + "/join", "{}");
        JsonNode joined = sync(bob, "since=" + enc(since));
        JsonNode room = joined.path("rooms").path("join").path(roomId);
        assertThat(roomState(room, "m.room.name", "")).as("full state on join").isNotNull();
        assertThat(joined.path("rooms").path("invite").has(roomId)).isFalse();
        since = joined.path("next_batch").asText();

        post(alice, "/rooms/" + enc(roomId) + "/kick", "{\"user_id\":\"" + bob.id() + "\",\"reason\":\"bye\"}");
        send(alice, roomId, "after the kick");
        JsonNode left = sync(bob, "since=" + enc(since));
        JsonNode leave = left.path("rooms").path("leave").path(roomId);
        JsonNode last = leave.path("timeline").path("events").get(leave.path("timeline").path("events").size() - 1);
        assertThat(last.path("type").asText()).isEqualTo("m.room.member");
        assertThat(last.path("content").path("membership").asText()).isEqualTo("leave");
        assertThat(bodies(leave.path("timeline").path("events"))).doesNotContain("after the kick");
        assertThat(left.path("rooms").path("join").has(roomId)).isFalse();
        // A later sync no longer mentions the room, and an initial one only with include_leave.
        assertThat(sync(bob, "since=" + enc(left.path("next_batch").asText())).path("rooms").path("leave")
                .has(roomId)).isFalse();
        assertThat(sync(bob, "").path("rooms").path("leave").has(roomId)).isFalse();
        assertThat(sync(bob, "filter=" + enc("{\"room\":{\"include_leave\":true}}")).path("rooms").path("leave")
                .has(roomId)).isTrue();
    }

    @Test
    void aGappyTimelineCarriesTheStateThatChangedInTheGap() {
        User alice = newUser();
        User bob = newUser();
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\",\"name\":\"Before\"}");
        post(bob, "/join/" + enc(roomId), "{}");
        String since = sync(bob, "").path("next_batch").asText();
        ok(client.request("PUT", V3 + "/rooms/" + enc(roomId) + "/state/m.room.name/", "{\"name\":\"After\"}",
                alice.token()));
        for (int i = 0; i < 5; i++) {
            send(alice, roomId, "m" + i);
        }
        String filter = enc("{\"room\":{\"timeline\":{\"limit\":2}}}");
        JsonNode gappy = sync(bob, "filter=" + filter + "&since=" + enc(since));
        JsonNode room = gappy.path("rooms").path("join").path(roomId);
        assertThat(bodies(room.path("timeline").path("events"))).containsExactly("m3", "m4");
        assertThat(room.path("timeline").path("limited").asBoolean()).isTrue();
        assertThat(stateEvent(room.path("state").path("events"), "m.room.name", "").path("content").path("name")
                .asText()).isEqualTo("After");
        assertThat(stateEvent(room.path("state").path("events"), "m.room.create", "")).as("unchanged state")
                .isNull();
        // prev_batch continues backwards with /messages.
        String prevBatch = room.path("timeline").path("prev_batch").asText();
        JsonNode older = ok(client.get(V3 + "/rooms/" + enc(roomId) + "/messages?dir=b&limit=3&from="
                + enc(prevBatch), bob.token()));
        assertThat(bodies(older.path("chunk"))).containsExactly("m2", "m1", "m0");

        // use_state_after: the state at the end of the timeline, for the whole gap.
        JsonNode after = sync(bob, "use_state_after=true&filter=" + filter + "&since=" + enc(since));
        JsonNode afterRoom = after.path("rooms").path("join").path(roomId);
        assertThat(afterRoom.has("state")).isFalse();
        assertThat(stateEvent(afterRoom.path("state_after").path("events"), "m.room.name", "")).isNotNull();
    }

    @Test
    void filtersAreStoredAndApplied() {
        User alice = newUser();
        User bob = newUser();
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\"}");
        post(bob, "/join/" + enc(roomId), "{}");
        send(bob, roomId, "from bob");
        send(alice, roomId, "from alice");
        String filterJson = "{\"event_fields\":[\"type\",\"content.body\",\"sender\",\"state_key\",\"content.membership\"],"
                + "\"room\":{\"timeline\":{\"types\":[\"m.room.message\"],\"limit\":5},"
                + "\"state\":{\"lazy_load_members\":true}}}";
        String filterId = ok(client.request("POST", V3 + "/user/" + enc(alice.id()) + "/filter", filterJson,
                alice.token())).path("filter_id").asText();
        assertThat(ok(client.get(V3 + "/user/" + enc(alice.id()) + "/filter/" + filterId, alice.token()))
                .path("room").path("timeline").path("limit").asInt()).isEqualTo(5);
        RoomsHttpTest.error(client.get(V3 + "/user/" + enc(alice.id()) + "/filter/" + filterId, bob.token()),
                403, "M_FORBIDDEN");
        RoomsHttpTest.error(client.get(V3 + "/user/" + enc(alice.id()) + "/filter/999", alice.token()),
                404, "M_NOT_FOUND");
        RoomsHttpTest.error(client.request("POST", V3 + "/user/" + enc(alice.id()) + "/filter",
                "{\"room\":{\"timeline\":{\"types\":\"nope\"}}}", alice.token()), 400, "M_BAD_JSON");

        JsonNode room = sync(alice, "filter=" + filterId).path("rooms").path("join").path(roomId);
        JsonNode timeline = room.path("timeline").path("events");
        assertThat(bodies(timeline)).containsExactly("from bob", "from alice");
        assertThat(timeline.get(0).has("event_id")).as("event_fields").isFalse();
        JsonNode state = room.path("state").path("events");
        assertThat(stateEvent(state, "m.room.member", bob.id())).as("sender's member event").isNotNull();
        assertThat(stateEvent(state, "m.room.member", alice.id())).as("own member event").isNotNull();
        assertThat(stateEvent(state, "m.room.create", "")).isNotNull();

        RoomsHttpTest.error(client.get(V3 + "/sync?since=garbage", alice.token()), 400, "M_INVALID_PARAM");
        RoomsHttpTest.error(client.get(V3 + "/sync?filter=12345", alice.token()), 404, "M_NOT_FOUND");
        RoomsHttpTest.error(client.get(V3 + "/sync?set_presence=away", alice.token()), 400, "M_INVALID_PARAM");
    }

    @Test
    void timelinesCarryBundledEditsAndHideIgnoredUsers() {
        User alice = newUser();
        User bob = newUser();
        User carol = newUser();
        String roomId = createRoom(alice, "{\"preset\":\"public_chat\"}");
        post(bob, "/join/" + enc(roomId), "{}");
        post(carol, "/join/" + enc(roomId), "{}");
        ok(client.request("PUT", V3 + "/user/" + enc(bob.id()) + "/account_data/m.ignored_user_list",
                "{\"ignored_users\":{\"" + carol.id() + "\":{}}}", bob.token()));
        String since = sync(bob, "").path("next_batch").asText();
        String original = send(alice, roomId, "typo");
        ok(client.request("PUT", V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/edit" + TXN.incrementAndGet(),
                "{\"msgtype\":\"m.text\",\"body\":\"* fixed\",\"m.new_content\":{\"msgtype\":\"m.text\","
                        + "\"body\":\"fixed\"},\"m.relates_to\":{\"rel_type\":\"m.replace\",\"event_id\":\""
                        + original + "\"}}", alice.token()));
        send(carol, roomId, "ignore me");
        JsonNode events = sync(bob, "since=" + enc(since)).path("rooms").path("join").path(roomId).path("timeline")
                .path("events");
        assertThat(bodies(events)).containsExactly("typo", "* fixed");
        assertThat(events.get(0).path("unsigned").path("m.relations").path("m.replace").path("event_id").asText())
                .isNotEmpty();
    }

    @Test
    void syncingMarksTheUserOnlineUnlessAskedNotTo() {
        User alice = newUser();
        User bob = newUser();
        sync(bob, "set_presence=offline");
        assertThat(ok(client.get(V3 + "/presence/" + enc(bob.id()) + "/status", bob.token())).path("presence")
                .asText()).isEqualTo("offline");
        sync(alice, "");
        assertThat(ok(client.get(V3 + "/presence/" + enc(alice.id()) + "/status", alice.token())).path("presence")
                .asText()).isEqualTo("online");
        // Sending an event is activity: an idle user who speaks is online again.
        ok(client.request("PUT", V3 + "/presence/" + enc(alice.id()) + "/status", "{\"presence\":\"unavailable\"}",
                alice.token()));
        send(alice, createRoom(alice, "{}"), "back");
        assertThat(ok(client.get(V3 + "/presence/" + enc(alice.id()) + "/status", alice.token())).path("presence")
                .asText()).isEqualTo("online");
    }
}
