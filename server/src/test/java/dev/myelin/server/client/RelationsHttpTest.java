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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.myelin.server.client.RoomsHttpTest.enc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Relations, bundled aggregations, threads, timestamp_to_event and lazy-loaded members over HTTP, on SQLite and
 * PostgreSQL.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class RelationsHttpTest {
    private static final String V1 = "/_matrix/client/v1";
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

    static Reply get(User user, String path) {
        return client.get(path, user.token());
    }

    static JsonNode ok(Reply reply) {
        return RoomsHttpTest.ok(reply);
    }

    static String send(User user, String roomId, String type, String content) {
        return ok(client.request("PUT", V3 + "/rooms/" + enc(roomId) + "/send/" + type + "/r" + TXN.incrementAndGet(),
                content, user.token())).path("event_id").asText();
    }

    static Reply trySend(User user, String roomId, String type, String content) {
        return client.request("PUT", V3 + "/rooms/" + enc(roomId) + "/send/" + type + "/r" + TXN.incrementAndGet(),
                content, user.token());
    }

    static String text(User user, String roomId, String body) {
        return send(user, roomId, "m.room.message", "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}");
    }

    static String edit(User user, String roomId, String target, String body) {
        return send(user, roomId, "m.room.message", """
                {"msgtype":"m.text","body":"* %s","m.new_content":{"msgtype":"m.text","body":"%s"},
                 "m.relates_to":{"rel_type":"m.replace","event_id":"%s"}}""".formatted(body, body, target));
    }

    static String reply(User user, String roomId, String root, String body) {
        return send(user, roomId, "m.room.message", """
                {"msgtype":"m.text","body":"%s","m.relates_to":{"rel_type":"m.thread","event_id":"%s"}}"""
                .formatted(body, root));
    }

    static String react(User user, String roomId, String target, String key) {
        return send(user, roomId, "m.reaction", """
                {"m.relates_to":{"rel_type":"m.annotation","event_id":"%s","key":"%s"}}""".formatted(target, key));
    }

    /** Two users in a fresh public room. */
    static User[] pair(String[] roomOut) {
        User alice = RoomsHttpTest.newUser();
        User bob = RoomsHttpTest.newUser();
        String roomId = RoomsHttpTest.createRoom(alice, "{\"preset\":\"public_chat\"}");
        ok(client.request("POST", V3 + "/rooms/" + enc(roomId) + "/join", "{}", bob.token()));
        roomOut[0] = roomId;
        return new User[] {alice, bob};
    }

    static JsonNode event(User user, String roomId, String eventId) {
        return ok(get(user, V3 + "/rooms/" + enc(roomId) + "/event/" + enc(eventId)));
    }

    static List<String> ids(JsonNode chunk) {
        var out = new ArrayList<String>();
        chunk.forEach(e -> out.add(e.path("event_id").asText()));
        return out;
    }

    @Test
    void editsAreBundledWithoutChangingTheOriginal() {
        String[] room = new String[1];
        User[] users = pair(room);
        User alice = users[0];
        User bob = users[1];
        String original = text(alice, room[0], "helo");
        edit(alice, room[0], original, "hello");
        String latest = edit(alice, room[0], original, "hello!");
        edit(bob, room[0], original, "bob may not edit this");

        JsonNode event = event(bob, room[0], original);
        assertThat(event.path("content").path("body").asText()).isEqualTo("helo");
        JsonNode replace = event.path("unsigned").path("m.relations").path("m.replace");
        assertThat(replace.path("event_id").asText()).isEqualTo(latest);
        assertThat(replace.path("content").path("m.new_content").path("body").asText()).isEqualTo("hello!");

        // The same bundle in /messages and /context.
        JsonNode messages = ok(get(bob, V3 + "/rooms/" + enc(room[0]) + "/messages?dir=b&limit=10"));
        JsonNode inMessages = null;
        for (JsonNode e : messages.path("chunk")) {
            if (e.path("event_id").asText().equals(original)) {
                inMessages = e;
            }
        }
        assertThat(inMessages).isNotNull();
        assertThat(inMessages.path("unsigned").path("m.relations").path("m.replace").path("event_id").asText())
                .isEqualTo(latest);
        JsonNode context = ok(get(bob, V3 + "/rooms/" + enc(room[0]) + "/context/" + enc(original) + "?limit=2"));
        assertThat(context.path("event").path("unsigned").path("m.relations").path("m.replace").path("event_id")
                .asText()).isEqualTo(latest);

        // Redacting the latest edit falls back to the one before; redacting the original drops the bundle.
        ok(client.request("PUT", V3 + "/rooms/" + enc(room[0]) + "/redact/" + enc(latest) + "/x1", "{}",
                alice.token()));
        assertThat(event(bob, room[0], original).path("unsigned").path("m.relations").path("m.replace")
                .path("content").path("m.new_content").path("body").asText()).isEqualTo("hello");
        ok(client.request("PUT", V3 + "/rooms/" + enc(room[0]) + "/redact/" + enc(original) + "/x2", "{}",
                alice.token()));
        assertThat(event(bob, room[0], original).path("unsigned").has("m.relations")).isFalse();
    }

    @Test
    void editsOfStateEventsAreIgnored() {
        String[] room = new String[1];
        User alice = pair(room)[0];
        String topic = ok(client.request("PUT", V3 + "/rooms/" + enc(room[0]) + "/state/m.room.topic/",
                "{\"topic\":\"t\"}", alice.token())).path("event_id").asText();
        edit(alice, room[0], topic, "edited");
        assertThat(event(alice, room[0], topic).path("unsigned").has("m.relations")).isFalse();
    }

    @Test
    void referencesAndThreadsAreBundled() {
        String[] room = new String[1];
        User[] users = pair(room);
        User alice = users[0];
        User bob = users[1];
        String root = text(alice, room[0], "root");
        String ref = send(bob, room[0], "m.room.message", """
                {"msgtype":"m.text","body":"see","m.relates_to":{"rel_type":"m.reference","event_id":"%s"}}"""
                .formatted(root));
        reply(bob, room[0], root, "one");
        String last = reply(bob, room[0], root, "two");
        String lastEdit = edit(bob, room[0], last, "two, edited");

        JsonNode relations = event(alice, room[0], root).path("unsigned").path("m.relations");
        assertThat(ids(relations.path("m.reference").path("chunk"))).containsExactly(ref);
        JsonNode thread = relations.path("m.thread");
        assertThat(thread.path("count").asInt()).isEqualTo(2);
        assertThat(thread.path("current_user_participated").asBoolean()).isTrue();
        assertThat(thread.path("latest_event").path("event_id").asText()).isEqualTo(last);
        assertThat(thread.path("latest_event").path("unsigned").path("m.relations").path("m.replace")
                .path("event_id").asText()).isEqualTo(lastEdit);

        User carol = RoomsHttpTest.newUser();
        ok(client.request("POST", V3 + "/rooms/" + enc(room[0]) + "/join", "{}", carol.token()));
        assertThat(event(carol, room[0], root).path("unsigned").path("m.relations").path("m.thread")
                .path("current_user_participated").asBoolean()).isFalse();

        // A thread cannot start from an event that relates to another.
        Reply nested = trySend(bob, room[0], "m.room.message", """
                {"msgtype":"m.text","body":"x","m.relates_to":{"rel_type":"m.thread","event_id":"%s"}}"""
                .formatted(last));
        assertThat(nested.status()).isEqualTo(400);
        assertThat(nested.errcode()).isEqualTo("M_UNKNOWN");
    }

    @Test
    void duplicateAnnotationsAreRefusedUntilRedacted() {
        String[] room = new String[1];
        User[] users = pair(room);
        String target = text(users[0], room[0], "react to me");
        String first = react(users[1], room[0], target, "👍");
        Reply again = trySend(users[1], room[0], "m.reaction",
                "{\"m.relates_to\":{\"rel_type\":\"m.annotation\",\"event_id\":\"" + target + "\",\"key\":\"👍\"}}");
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.errcode()).isEqualTo("M_DUPLICATE_ANNOTATION");
        react(users[0], room[0], target, "👍");
        ok(client.request("PUT", V3 + "/rooms/" + enc(room[0]) + "/redact/" + enc(first) + "/r1", "{}",
                users[1].token()));
        react(users[1], room[0], target, "👍");
    }

    @Test
    void relationsPaginateAndFilter() {
        String[] room = new String[1];
        User[] users = pair(room);
        User alice = users[0];
        String parent = text(alice, room[0], "parent");
        var reactions = new ArrayList<String>();
        for (int i = 0; i < 5; i++) {
            reactions.add(react(users[1], room[0], parent, "k" + i));
        }
        String threadReply = reply(alice, room[0], parent, "in thread");
        String base = V1 + "/rooms/" + enc(room[0]) + "/relations/" + enc(parent);

        assertThat(ids(ok(get(alice, base)).path("chunk"))).hasSize(6).first().isEqualTo(threadReply);
        JsonNode page1 = ok(get(alice, base + "/m.annotation?limit=2"));
        assertThat(ids(page1.path("chunk"))).containsExactly(reactions.get(4), reactions.get(3));
        JsonNode page2 = ok(get(alice, base + "/m.annotation?limit=2&from=" + page1.path("next_batch").asText()));
        assertThat(ids(page2.path("chunk"))).containsExactly(reactions.get(2), reactions.get(1));
        assertThat(page2.path("prev_batch").asText()).isEqualTo(page1.path("next_batch").asText());
        JsonNode forwards = ok(get(alice, base + "/m.annotation/m.reaction?dir=f&limit=10"));
        assertThat(ids(forwards.path("chunk"))).containsExactlyElementsOf(reactions);
        assertThat(forwards.has("next_batch")).isFalse();
        assertThat(ids(ok(get(alice, base + "/m.annotation/m.room.message")).path("chunk"))).isEmpty();

        // recurse follows relations of relations.
        String reactionToReply = react(users[1], room[0], threadReply, "r");
        assertThat(ids(ok(get(alice, base)).path("chunk"))).doesNotContain(reactionToReply);
        JsonNode recursive = ok(get(alice, base + "?recurse=true"));
        assertThat(ids(recursive.path("chunk"))).contains(reactionToReply);
        assertThat(recursive.path("recursion_depth").asInt()).isEqualTo(3);

        assertThat(get(alice, base + "?dir=x").status()).isEqualTo(400);
        assertThat(get(alice, base + "?limit=abc").status()).isEqualTo(400);
        assertThat(get(alice, V1 + "/rooms/" + enc(room[0]) + "/relations/%24unknown").status()).isEqualTo(404);
        User outsider = RoomsHttpTest.newUser();
        String privateRoom = RoomsHttpTest.createRoom(alice, "{\"preset\":\"private_chat\"}");
        String secret = text(alice, privateRoom, "secret");
        assertThat(get(outsider, V1 + "/rooms/" + enc(privateRoom) + "/relations/" + enc(secret)).status())
                .isEqualTo(404);
    }

    @Test
    void threadsListByLatestActivity() {
        String[] room = new String[1];
        User[] users = pair(room);
        User alice = users[0];
        User bob = users[1];
        String first = text(alice, room[0], "first root");
        String second = text(bob, room[0], "second root");
        reply(bob, room[0], first, "a");
        reply(alice, room[0], second, "b");
        reply(bob, room[0], first, "c");
        String threads = V1 + "/rooms/" + enc(room[0]) + "/threads";

        JsonNode all = ok(get(alice, threads));
        assertThat(ids(all.path("chunk"))).containsExactly(first, second);
        assertThat(all.path("chunk").get(0).path("unsigned").path("m.relations").path("m.thread").path("count")
                .asInt()).isEqualTo(2);
        JsonNode page = ok(get(alice, threads + "?limit=1"));
        assertThat(ids(page.path("chunk"))).containsExactly(first);
        assertThat(ids(ok(get(alice, threads + "?limit=1&from=" + page.path("next_batch").asText())).path("chunk")))
                .containsExactly(second);

        User carol = RoomsHttpTest.newUser();
        ok(client.request("POST", V3 + "/rooms/" + enc(room[0]) + "/join", "{}", carol.token()));
        reply(carol, room[0], second, "d");
        assertThat(ids(ok(get(carol, threads + "?include=participated")).path("chunk"))).containsExactly(second);
        assertThat(ids(ok(get(bob, threads + "?include=participated")).path("chunk")))
                .containsExactly(second, first);
        assertThat(get(carol, threads + "?include=some").status()).isEqualTo(400);
        User outsider = RoomsHttpTest.newUser();
        String privateRoom = RoomsHttpTest.createRoom(alice, "{\"preset\":\"private_chat\"}");
        assertThat(get(outsider, V1 + "/rooms/" + enc(privateRoom) + "/threads").status()).isEqualTo(403);
    }

    @Test
    void timestampToEvent() throws Exception {
        String[] room = new String[1];
        User alice = pair(room)[0];
        String before = text(alice, room[0], "before");
        long beforeTs = event(alice, room[0], before).path("origin_server_ts").asLong();
        Thread.sleep(5);
        String after = text(alice, room[0], "after");
        long afterTs = event(alice, room[0], after).path("origin_server_ts").asLong();
        String base = V1 + "/rooms/" + enc(room[0]) + "/timestamp_to_event";

        JsonNode backwards = ok(get(alice, base + "?dir=b&ts=" + (afterTs - 1)));
        assertThat(backwards.path("event_id").asText()).isEqualTo(before);
        assertThat(backwards.path("origin_server_ts").asLong()).isEqualTo(beforeTs);
        assertThat(ok(get(alice, base + "?dir=f&ts=" + (beforeTs + 1))).path("event_id").asText()).isEqualTo(after);
        Reply none = get(alice, base + "?dir=f&ts=" + (afterTs + 60_000));
        assertThat(none.status()).isEqualTo(404);
        assertThat(none.errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(get(alice, base + "?dir=f").errcode()).isEqualTo("M_MISSING_PARAM");
        assertThat(get(alice, base + "?dir=x&ts=1").errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(get(alice, base + "?dir=f&ts=soon").errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(get(RoomsHttpTest.newUser(), base + "?dir=b&ts=" + afterTs).status()).isEqualTo(403);
    }

    @Test
    void lazyLoadedMembersInMessagesAndContext() {
        String[] room = new String[1];
        User[] users = pair(room);
        User alice = users[0];
        User bob = users[1];
        User carol = RoomsHttpTest.newUser();
        ok(client.request("POST", V3 + "/rooms/" + enc(room[0]) + "/join", "{}", carol.token()));
        String hello = text(bob, room[0], "hello");
        text(alice, room[0], "hi");
        String filter = enc("{\"lazy_load_members\":true,\"types\":[\"m.room.message\"]}");

        JsonNode messages = ok(get(carol, V3 + "/rooms/" + enc(room[0]) + "/messages?dir=b&limit=2&filter=" + filter));
        var members = new ArrayList<String>();
        messages.path("state").forEach(e -> members.add(e.path("state_key").asText()));
        assertThat(members).containsExactlyInAnyOrder(alice.id(), bob.id());

        JsonNode context = ok(get(carol, V3 + "/rooms/" + enc(room[0]) + "/context/" + enc(hello)
                + "?limit=0&filter=" + filter));
        var contextMembers = new ArrayList<String>();
        context.path("state").forEach(e -> {
            if (e.path("type").asText().equals("m.room.member")) {
                contextMembers.add(e.path("state_key").asText());
            }
        });
        assertThat(contextMembers).containsExactly(bob.id());
        assertThat(context.path("state").toString()).contains("m.room.create");

        // A stored filter by id: its room.timeline applies, lazy loading set in room.state.
        String filterId = ok(client.request("POST", V3 + "/user/" + enc(carol.id()) + "/filter", """
                {"room":{"timeline":{"senders":["%s"]},"state":{"lazy_load_members":true}}}""".formatted(bob.id()),
                carol.token())).path("filter_id").asText();
        JsonNode byId = ok(get(carol, V3 + "/rooms/" + enc(room[0]) + "/messages?dir=b&limit=5&filter=" + filterId));
        assertThat(ids(byId.path("chunk"))).contains(hello).allSatisfy(id -> assertThat(
                event(carol, room[0], id).path("sender").asText()).isEqualTo(bob.id()));
        assertThat(byId.path("state").size()).isEqualTo(1);
        assertThat(get(carol, V3 + "/rooms/" + enc(room[0]) + "/messages?dir=b&filter=999999").status())
                .isEqualTo(404);
        assertThat(get(carol, V3 + "/rooms/" + enc(room[0]) + "/messages?dir=b&filter=" + enc("{\"types\":3}"))
                .status()).isEqualTo(400);
    }

    @Test
    void ignoredUsersAreHiddenAndTheirInvitesDropped() {
        String[] room = new String[1];
        User[] users = pair(room);
        User alice = users[0];
        User bob = users[1];
        String root = text(alice, room[0], "root");
        String fromBob = reply(bob, room[0], root, "from bob");
        String fromAlice = text(alice, room[0], "from alice");
        ok(client.request("PUT", V3 + "/user/" + enc(alice.id()) + "/account_data/m.ignored_user_list",
                "{\"ignored_users\":{\"" + bob.id() + "\":{}}}", alice.token()));

        String base = V3 + "/rooms/" + enc(room[0]);
        assertThat(ids(ok(get(alice, base + "/messages?dir=b&limit=20")).path("chunk")))
                .contains(fromAlice, root).doesNotContain(fromBob);
        JsonNode context = ok(get(alice, base + "/context/" + enc(fromAlice) + "?limit=10"));
        assertThat(ids(context.path("events_before"))).contains(root).doesNotContain(fromBob);
        assertThat(event(alice, room[0], root).path("unsigned").path("m.relations").has("m.thread")).isFalse();
        assertThat(ids(ok(get(alice, V1 + "/rooms/" + enc(room[0]) + "/relations/" + enc(root))).path("chunk")))
                .isEmpty();
        // Bob still sees everything.
        assertThat(ids(ok(get(bob, base + "/messages?dir=b&limit=20")).path("chunk"))).contains(fromBob);

        String bobsRoom = RoomsHttpTest.createRoom(bob, "{\"preset\":\"private_chat\"}");
        ok(client.request("POST", V3 + "/rooms/" + enc(bobsRoom) + "/invite",
                "{\"user_id\":\"" + alice.id() + "\"}", bob.token()));
        Reply member = client.get(V3 + "/rooms/" + enc(bobsRoom) + "/state/m.room.member/" + enc(alice.id()),
                bob.token());
        assertThat(member.status()).isEqualTo(404);
    }

    @Test
    void syncTimelinesBundleAggregationsAndHideIgnoredUsers() {
        String[] room = new String[1];
        User[] users = pair(room);
        User alice = users[0];
        User bob = users[1];
        User carol = RoomsHttpTest.newUser();
        ok(client.request("POST", V3 + "/rooms/" + enc(room[0]) + "/join", "{}", carol.token()));
        String root = text(alice, room[0], "root");
        String edit = edit(alice, room[0], root, "root, edited");
        String fromCarol = text(carol, room[0], "from carol");
        ok(client.request("PUT", V3 + "/user/" + enc(bob.id()) + "/account_data/m.ignored_user_list",
                "{\"ignored_users\":{\"" + carol.id() + "\":{}}}", bob.token()));

        JsonNode timeline = ok(get(bob, V3 + "/sync")).path("rooms").path("join").path(room[0])
                .path("timeline").path("events");
        List<String> seen = ids(timeline);
        assertThat(seen).contains(root, edit).doesNotContain(fromCarol);
        JsonNode rootEvent = timeline.get(seen.indexOf(root));
        assertThat(rootEvent.path("unsigned").path("m.relations").path("m.replace").path("event_id").asText())
                .isEqualTo(edit);
        assertThat(ids(ok(get(alice, V3 + "/sync")).path("rooms").path("join").path(room[0]).path("timeline")
                .path("events"))).contains(fromCarol);
    }

    @Test
    void messagesStopAtTheToToken() {
        String[] room = new String[1];
        User alice = pair(room)[0];
        String base = V3 + "/rooms/" + enc(room[0]) + "/messages";
        String start = ok(get(alice, base + "?dir=b&limit=1")).path("start").asText();
        String first = text(alice, room[0], "one");
        String second = text(alice, room[0], "two");
        text(alice, room[0], "three");
        String middle = ok(get(alice, base + "?dir=b&limit=1")).path("end").asText();
        JsonNode between = ok(get(alice, base + "?dir=f&limit=10&from=" + start + "&to=" + middle));
        assertThat(ids(between.path("chunk"))).containsExactly(first, second);
    }
}
