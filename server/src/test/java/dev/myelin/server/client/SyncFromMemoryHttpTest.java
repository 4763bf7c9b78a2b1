package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.myelin.server.client.RoomsHttpTest.User;
import dev.myelin.server.storage.Backend;
import dev.myelin.server.sync.SyncToken;
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
import java.util.concurrent.atomic.AtomicInteger;

import static dev.myelin.server.client.RoomsHttpTest.enc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A long-poll served from memory answers what a normal pass answers for the same token, and what it cannot prove
 * it handles goes to a normal pass; on SQLite and PostgreSQL. Each case syncs twice from one token: a long-poll
 * (something new is waiting, so it answers at once) and a sync with {@code timeout=0}, which always runs a normal
 * pass, and compares the two responses (ages aside, and the next token's positions of streams that did not move
 * for the user, which a pass from memory leaves where they were).
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class SyncFromMemoryHttpTest {
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

    private static JsonNode sync(User user, String since, int timeout, String filter) {
        return ok(client.get(V3 + "/sync?timeout=" + timeout + (since == null ? "" : "&since=" + enc(since))
                + (filter == null ? "" : "&filter=" + enc(filter)), user.token()));
    }

    private static String token(User user, String filter) {
        return sync(user, null, 0, filter).path("next_batch").asText();
    }

    private static String send(User user, String roomId, String type, String content) {
        return ok(client.request("PUT", V3 + "/rooms/" + enc(roomId) + "/send/" + type + "/m" + TXN.incrementAndGet(),
                content, user.token())).path("event_id").asText();
    }

    private static String message(User user, String roomId, String body) {
        return send(user, roomId, "m.room.message", "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}");
    }

    /** A room of {@code creator} that each of {@code others} joined. */
    private static String room(User creator, User... others) {
        String roomId = ok(client.request("POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}",
                creator.token())).path("room_id").asText();
        for (User other : others) {
            ok(client.request("POST", V3 + "/join/" + enc(roomId), "{}", other.token()));
        }
        return roomId;
    }

    private record Compared(JsonNode response, boolean fromMemory) {}

    /** The long-poll's response from {@code since}, checked against a normal pass from the same token. */
    private static Compared compare(User user, String since, String filter) {
        long before = server.homeserver().sync().passesFromMemory();
        JsonNode woken = sync(user, since, 10_000, filter);
        boolean fromMemory = server.homeserver().sync().passesFromMemory() > before;
        JsonNode normal = sync(user, since, 0, filter);
        assertThat(SyncToken.parse(woken.path("next_batch").asText()).events())
                .isEqualTo(SyncToken.parse(normal.path("next_batch").asText()).events());
        assertThat(comparable(woken)).isEqualTo(comparable(normal));
        return new Compared(woken, fromMemory);
    }

    private static JsonNode comparable(JsonNode response) {
        ObjectNode copy = response.deepCopy();
        copy.remove("next_batch");
        withoutAges(copy);
        return copy;
    }

    private static void withoutAges(JsonNode node) {
        if (node instanceof ObjectNode object) {
            object.remove("age");
            object.remove("last_active_ago");
        }
        node.forEach(SyncFromMemoryHttpTest::withoutAges);
    }

    private static List<String> bodies(JsonNode response, String roomId) {
        var out = new ArrayList<String>();
        response.path("rooms").path("join").path(roomId).path("timeline").path("events")
                .forEach(event -> out.add(event.path("content").path("body").asText(event.path("type").asText())));
        return out;
    }

    @Test
    void newMessagesAreServedFromMemoryWithTheirCountsAndTransactionIds() {
        User alice = newUser();
        User bob = newUser();
        String roomId = room(alice, bob);
        String aliceSince = token(alice, null);
        String bobSince = token(bob, null);
        message(alice, roomId, "one");
        message(alice, roomId, "two");

        Compared bobs = compare(bob, bobSince, null);
        assertThat(bobs.fromMemory()).isTrue();
        assertThat(bodies(bobs.response(), roomId)).containsExactly("one", "two");
        JsonNode room = bobs.response().path("rooms").path("join").path(roomId);
        assertThat(room.path("timeline").path("limited").asBoolean()).isFalse();
        assertThat(room.path("unread_notifications").path("notification_count").asInt()).isEqualTo(2);

        Compared alices = compare(alice, aliceSince, null);
        assertThat(alices.fromMemory()).isTrue();
        JsonNode events = alices.response().path("rooms").path("join").path(roomId).path("timeline").path("events");
        assertThat(events).hasSize(2);
        events.forEach(event -> assertThat(event.path("unsigned").has("transaction_id")).isTrue());
    }

    @Test
    void aStateEventOrAMembershipChangeGoesToANormalPass() {
        User alice = newUser();
        User bob = newUser();
        User carol = newUser();
        String roomId = room(alice, bob);
        String since = token(bob, null);
        ok(client.request("PUT", V3 + "/rooms/" + enc(roomId) + "/state/m.room.topic/", "{\"topic\":\"news\"}",
                alice.token()));
        message(alice, roomId, "after the topic");
        Compared topic = compare(bob, since, null);
        assertThat(topic.fromMemory()).isFalse();
        assertThat(bodies(topic.response(), roomId)).containsExactly("m.room.topic", "after the topic");

        since = topic.response().path("next_batch").asText();
        ok(client.request("POST", V3 + "/join/" + enc(roomId), "{}", carol.token()));
        assertThat(compare(bob, since, null).fromMemory()).isFalse();

        // The syncing user's own membership change (a new display name) in the window.
        since = token(bob, null);
        ok(client.request("PUT", V3 + "/rooms/" + enc(roomId) + "/state/m.room.member/" + enc(bob.id()),
                "{\"membership\":\"join\",\"displayname\":\"Bobby\"}", bob.token()));
        message(alice, roomId, "hello Bobby");
        assertThat(compare(bob, since, null).fromMemory()).isFalse();
    }

    @Test
    void aGappyTimelineGoesToANormalPassAndAFilterIsApplied() {
        User alice = newUser();
        User bob = newUser();
        String roomId = room(alice, bob);
        String limit3 = "{\"room\":{\"timeline\":{\"limit\":3}}}";
        String since = token(bob, limit3);
        for (int i = 0; i < 4; i++) {
            message(alice, roomId, "m" + i);
        }
        Compared gappy = compare(bob, since, limit3);
        assertThat(gappy.fromMemory()).isFalse();
        assertThat(gappy.response().path("rooms").path("join").path(roomId).path("timeline").path("limited")
                .asBoolean()).isTrue();
        assertThat(bodies(gappy.response(), roomId)).containsExactly("m1", "m2", "m3");

        String typed = "{\"room\":{\"timeline\":{\"types\":[\"m.room.*\",\"org.example.*\"],"
                + "\"not_types\":[\"org.example.hidden\"],\"limit\":2}}}";
        since = token(bob, typed);
        message(alice, roomId, "shown");
        send(alice, roomId, "org.example.hidden", "{}");
        send(alice, roomId, "org.example.kept", "{\"body\":\"kept\"}");
        send(alice, roomId, "com.example.other", "{}");
        Compared filtered = compare(bob, since, typed);
        assertThat(filtered.fromMemory()).isTrue();
        assertThat(bodies(filtered.response(), roomId)).containsExactly("shown", "kept");

        // Only filtered-out events: the room stays out of the response, and the long-poll waits.
        since = filtered.response().path("next_batch").asText();
        send(alice, roomId, "org.example.hidden", "{}");
        JsonNode nothing = sync(bob, since, 300, typed);
        assertThat(nothing.path("rooms").path("join").has(roomId)).isFalse();
    }

    @Test
    void lazyLoadedMembersGoToANormalPassWhichSendsTheSendersMemberEvent() {
        User alice = newUser();
        User bob = newUser();
        String roomId = room(alice, bob);
        String lazy = "{\"room\":{\"state\":{\"lazy_load_members\":true}}}";
        String since = token(bob, lazy);
        message(alice, roomId, "lazy");
        Compared compared = compare(bob, since, lazy);
        assertThat(compared.fromMemory()).isFalse();
        JsonNode state = compared.response().path("rooms").path("join").path(roomId).path("state").path("events");
        assertThat(state).anySatisfy(event -> {
            assertThat(event.path("type").asText()).isEqualTo("m.room.member");
            assertThat(event.path("state_key").asText()).isEqualTo(alice.id());
        });
    }

    @Test
    void toDeviceMessagesArrivingWithAnEventAreSentToo() {
        User alice = newUser();
        User bob = newUser();
        String roomId = room(alice, bob);
        String since = token(bob, null);
        ok(client.request("PUT", V3 + "/sendToDevice/m.test/t" + TXN.incrementAndGet(),
                "{\"messages\":{\"" + bob.id() + "\":{\"*\":{\"text\":\"psst\"}}}}", alice.token()));
        message(alice, roomId, "with a to-device message");
        Compared compared = compare(bob, since, null);
        assertThat(compared.fromMemory()).isTrue();
        assertThat(compared.response().path("to_device").path("events")).hasSize(1);
        assertThat(bodies(compared.response(), roomId)).containsExactly("with a to-device message");
    }

    @Test
    void ignoredUsersRedactionsAndThreadsAreHandledAsInANormalPass() {
        User alice = newUser();
        User bob = newUser();
        User carol = newUser();
        String roomId = room(alice, bob, carol);
        ok(client.request("PUT", V3 + "/user/" + enc(bob.id()) + "/account_data/m.ignored_user_list",
                "{\"ignored_users\":{\"" + carol.id() + "\":{}}}", bob.token()));
        String threads = "{\"room\":{\"timeline\":{\"unread_thread_notifications\":true}}}";
        String since = token(bob, threads);
        message(carol, roomId, "ignored");
        message(alice, roomId, "heard");
        Compared ignoring = compare(bob, since, threads);
        assertThat(ignoring.fromMemory()).isTrue();
        assertThat(bodies(ignoring.response(), roomId)).containsExactly("heard");

        since = ignoring.response().path("next_batch").asText();
        String root = message(alice, roomId, "root");
        send(alice, roomId, "m.room.message", "{\"msgtype\":\"m.text\",\"body\":\"in thread\","
                + "\"m.relates_to\":{\"rel_type\":\"m.thread\",\"event_id\":\"" + root + "\"}}");
        Compared threaded = compare(bob, since, threads);
        assertThat(threaded.fromMemory()).isFalse();

        // A plain message now: served from memory, with the thread's counts as a normal pass gives them.
        since = threaded.response().path("next_batch").asText();
        message(alice, roomId, "plain");
        Compared plain = compare(bob, since, threads);
        assertThat(plain.fromMemory()).isTrue();
        assertThat(plain.response().path("rooms").path("join").path(roomId).path("unread_thread_notifications")
                .path(root).path("notification_count").asInt()).isEqualTo(1);

        since = plain.response().path("next_batch").asText();
        ok(client.request("PUT", V3 + "/rooms/" + enc(roomId) + "/redact/" + enc(root) + "/r"
                + TXN.incrementAndGet(), "{}", alice.token()));
        assertThat(compare(bob, since, threads).fromMemory()).isFalse();
    }
}
