package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.myelin.server.http.Json;
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

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.myelin.server.client.RoomsHttpTest.enc;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pushers, notification counts in sync, GET /notifications and delivery to a push gateway (a JDK HttpServer in the
 * test) over HTTP, on SQLite and PostgreSQL.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Backend.class)
class PushNotificationsHttpTest {
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

    record User(String id, String token) {}

    static User newUser() {
        JsonNode body = AccountsHttpTest.register(client, AccountsHttpTest.newName(), "correct horse battery", "");
        return new User(body.path("user_id").asText(), body.path("access_token").asText());
    }

    static JsonNode ok(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    static void error(Reply reply, int status, String errcode) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.errcode()).as(reply.body()).isEqualTo(errcode);
    }

    static JsonNode sync(User user, String query) {
        return ok(client.get(V3 + "/sync" + (query.isEmpty() ? "" : "?" + query), user.token()));
    }

    /** A room of alice's that bob joined. */
    static String sharedRoom(User alice, User bob, User extraMember) {
        String roomId = ok(client.request("POST", V3 + "/createRoom", "{\"preset\":\"public_chat\"}", alice.token()))
                .path("room_id").asText();
        ok(client.request("POST", V3 + "/join/" + enc(roomId), "{}", bob.token()));
        if (extraMember != null) {
            ok(client.request("POST", V3 + "/join/" + enc(roomId), "{}", extraMember.token()));
        }
        return roomId;
    }

    static String send(User user, String roomId, String content) {
        return ok(client.request("PUT", V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/t"
                + TXN.incrementAndGet(), content, user.token())).path("event_id").asText();
    }

    static String text(String body) {
        return "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}";
    }

    static String mention(String body, String userId) {
        return "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\",\"m.mentions\":{\"user_ids\":[\"" + userId + "\"]}}";
    }

    static String pusher(String appId, String pushkey, String url, String extra) {
        return "{\"kind\":\"http\",\"app_id\":\"" + appId + "\",\"pushkey\":\"" + pushkey + "\","
                + "\"app_display_name\":\"App\",\"device_display_name\":\"Phone\",\"lang\":\"en\","
                + "\"data\":{\"url\":\"" + url + "\",\"custom\":1}" + extra + "}";
    }

    @Test
    void pushersAreSetListedReplacedAndDeleted() {
        User alice = newUser();
        User bob = newUser();
        String url = "https://push.example.org/_matrix/push/v1/notify";
        ok(client.request("POST", V3 + "/pushers/set", pusher("org.example.app", "key1", url,
                ",\"profile_tag\":\"tag\""), alice.token()));
        JsonNode listed = ok(client.get(V3 + "/pushers", alice.token())).path("pushers");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("pushkey").asText()).isEqualTo("key1");
        assertThat(listed.get(0).path("kind").asText()).isEqualTo("http");
        assertThat(listed.get(0).path("profile_tag").asText()).isEqualTo("tag");
        assertThat(listed.get(0).path("data").path("url").asText()).isEqualTo(url);
        assertThat(listed.get(0).path("data").path("custom").asInt()).isEqualTo(1);

        // The same app id and pushkey for another user takes it over unless appended.
        ok(client.request("POST", V3 + "/pushers/set", pusher("org.example.app", "key1", url, ",\"append\":true"),
                bob.token()));
        assertThat(ok(client.get(V3 + "/pushers", alice.token())).path("pushers")).hasSize(1);
        ok(client.request("POST", V3 + "/pushers/set", pusher("org.example.app", "key1", url, ""), bob.token()));
        assertThat(ok(client.get(V3 + "/pushers", alice.token())).path("pushers")).isEmpty();
        assertThat(ok(client.get(V3 + "/pushers", bob.token())).path("pushers")).hasSize(1);

        ok(client.request("POST", V3 + "/pushers/set",
                "{\"kind\":null,\"app_id\":\"org.example.app\",\"pushkey\":\"key1\"}", bob.token()));
        assertThat(ok(client.get(V3 + "/pushers", bob.token())).path("pushers")).isEmpty();

        error(client.request("POST", V3 + "/pushers/set", pusher("a", "k", "https://push.example.org/other", ""),
                alice.token()), 400, "M_INVALID_PARAM");
        error(client.request("POST", V3 + "/pushers/set", pusher("a", "k", "not a url", ""), alice.token()),
                400, "M_INVALID_PARAM");
        error(client.request("POST", V3 + "/pushers/set", pusher("a", "k", "ftp://x/_matrix/push/v1/notify", ""),
                alice.token()), 400, "M_INVALID_PARAM");
        error(client.request("POST", V3 + "/pushers/set", "{\"kind\":\"http\",\"app_id\":\"a\",\"pushkey\":\"k\"}",
                alice.token()), 400, "M_MISSING_PARAM");
        error(client.request("POST", V3 + "/pushers/set", "{\"kind\":\"http\",\"app_id\":\"a\",\"pushkey\":\"k\","
                + "\"app_display_name\":\"A\",\"device_display_name\":\"D\",\"lang\":\"en\",\"data\":{}}",
                alice.token()), 400, "M_INVALID_PARAM");
        error(client.request("POST", V3 + "/pushers/set", "{\"kind\":\"email\",\"app_id\":\"m.email\","
                + "\"pushkey\":\"a@example.org\",\"app_display_name\":\"A\",\"device_display_name\":\"D\","
                + "\"lang\":\"en\",\"data\":{}}", alice.token()), 400, "M_INVALID_PARAM");
        error(client.request("POST", V3 + "/pushers/set", "{\"app_id\":\"a\",\"pushkey\":\"k\"}", alice.token()),
                400, "M_MISSING_PARAM");
        error(client.request("POST", V3 + "/pushers/set", pusher("a".repeat(65), "k", url, ""), alice.token()),
                400, "M_INVALID_PARAM");
        error(client.request("POST", V3 + "/pushers/set", pusher("a", "k", url, ",\"append\":\"yes\""),
                alice.token()), 400, "M_BAD_JSON");
        error(client.get(V3 + "/pushers"), 401, "M_MISSING_TOKEN");

        // Logging out deletes the device and its pushers.
        ok(client.request("POST", V3 + "/pushers/set", pusher("org.example.app", "key2", url, ""), alice.token()));
        JsonNode login = AccountsHttpTest.login(client, alice.id(), "correct horse battery", "");
        ok(client.request("POST", V3 + "/logout", "{}", alice.token()));
        assertThat(ok(client.get(V3 + "/pushers", login.path("access_token").asText())).path("pushers")).isEmpty();
    }

    @Test
    void countsAppearWithTheEventAndReceiptsClearThem() {
        User alice = newUser();
        User bob = newUser();
        User carol = newUser();
        String roomId = sharedRoom(alice, bob, carol);
        String since = sync(bob, "").path("next_batch").asText();

        send(alice, roomId, text("hello"));
        String mentionId = send(alice, roomId, mention("hi bob", bob.id()));
        JsonNode room = sync(bob, "since=" + enc(since)).path("rooms").path("join").path(roomId);
        assertThat(room.path("timeline").path("events").size()).isGreaterThanOrEqualTo(2);
        assertThat(room.path("unread_notifications").path("notification_count").asInt()).isEqualTo(2);
        assertThat(room.path("unread_notifications").path("highlight_count").asInt()).isEqualTo(1);
        since = sync(bob, "since=" + enc(since)).path("next_batch").asText();

        // The sender's own events do not count for them, and sending marks the room read.
        JsonNode aliceRoom = sync(alice, "").path("rooms").path("join").path(roomId);
        assertThat(aliceRoom.path("unread_notifications").path("notification_count").asInt()).isZero();

        // A threaded message counts per thread when the filter asks for it.
        send(alice, roomId, "{\"msgtype\":\"m.text\",\"body\":\"in thread\",\"m.relates_to\":"
                + "{\"rel_type\":\"m.thread\",\"event_id\":\"" + mentionId + "\"}}");
        JsonNode threaded = sync(bob, "filter=" + enc("{\"room\":{\"timeline\":{\"unread_thread_notifications\":true}}}"))
                .path("rooms").path("join").path(roomId);
        assertThat(threaded.path("unread_notifications").path("notification_count").asInt()).isEqualTo(2);
        assertThat(threaded.path("unread_thread_notifications").path(mentionId).path("notification_count").asInt())
                .isEqualTo(1);
        JsonNode folded = sync(bob, "").path("rooms").path("join").path(roomId);
        assertThat(folded.path("unread_notifications").path("notification_count").asInt()).isEqualTo(3);
        assertThat(folded.has("unread_thread_notifications")).isFalse();

        // A receipt in the main timeline clears it but not the thread; an unthreaded one clears everything.
        String receipts = V3 + "/rooms/" + enc(roomId) + "/receipt/";
        ok(client.request("POST", receipts + "m.read/" + enc(mentionId), "{\"thread_id\":\"main\"}", bob.token()));
        JsonNode cleared = sync(bob, "since=" + enc(since)).path("rooms").path("join").path(roomId);
        assertThat(cleared.path("unread_notifications").path("notification_count").asInt()).isEqualTo(1);
        since = sync(bob, "since=" + enc(since)).path("next_batch").asText();
        String latest = send(carol, roomId, text("from carol"));
        since = sync(bob, "since=" + enc(since)).path("next_batch").asText();
        ok(client.request("POST", receipts + "m.read.private/" + enc(latest), "{}", bob.token()));
        JsonNode all = sync(bob, "timeout=5000&since=" + enc(since)).path("rooms").path("join").path(roomId);
        assertThat(all.path("unread_notifications").path("notification_count").asInt()).isZero();
        assertThat(all.path("unread_notifications").path("highlight_count").asInt()).isZero();

        // A notice does not notify (.m.rule.suppress_notices); an edit does not either.
        send(alice, roomId, "{\"msgtype\":\"m.notice\",\"body\":\"bot\"}");
        JsonNode quiet = sync(bob, "").path("rooms").path("join").path(roomId);
        assertThat(quiet.path("unread_notifications").path("notification_count").asInt()).isZero();
    }

    @Test
    void aLongPollWokenByAMessageCarriesItsCounts() throws Exception {
        User alice = newUser();
        User bob = newUser();
        String roomId = sharedRoom(alice, bob, null);
        String since = sync(bob, "").path("next_batch").asText();
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var woken = executor.submit(() -> sync(bob, "timeout=20000&since=" + enc(since)));
            Thread.sleep(300); // let the long-poll park
            send(alice, roomId, mention("wake up bob", bob.id()));
            JsonNode room = woken.get(15, java.util.concurrent.TimeUnit.SECONDS).path("rooms").path("join")
                    .path(roomId);
            assertThat(room.path("timeline").path("events")).hasSize(1);
            assertThat(room.path("unread_notifications").path("notification_count").asInt()).isEqualTo(1);
            assertThat(room.path("unread_notifications").path("highlight_count").asInt()).isEqualTo(1);
        }
    }

    @Test
    void notificationsAreListedWithReadFlagsAndPages() {
        User alice = newUser();
        User bob = newUser();
        String roomId = sharedRoom(alice, bob, null);
        String first = send(alice, roomId, text("one"));
        send(alice, roomId, mention("two", bob.id()));
        String third = send(alice, roomId, text("three"));
        sync(bob, "");  // waits for the evaluator

        JsonNode all = ok(client.get(V3 + "/notifications", bob.token()));
        assertThat(all.path("notifications")).hasSize(3);
        JsonNode newest = all.path("notifications").get(0);
        assertThat(newest.path("event").path("event_id").asText()).isEqualTo(third);
        assertThat(newest.path("event").path("content").path("body").asText()).isEqualTo("three");
        assertThat(newest.path("room_id").asText()).isEqualTo(roomId);
        assertThat(newest.path("read").asBoolean()).isFalse();
        assertThat(newest.path("ts").asLong()).isPositive();
        assertThat(newest.path("actions").get(0).asText()).isEqualTo("notify");
        assertThat(all.has("next_token")).isFalse();

        JsonNode page = ok(client.get(V3 + "/notifications?limit=2", bob.token()));
        assertThat(page.path("notifications")).hasSize(2);
        JsonNode rest = ok(client.get(V3 + "/notifications?limit=2&from=" + page.path("next_token").asText(),
                bob.token()));
        assertThat(rest.path("notifications")).hasSize(1);
        assertThat(rest.path("notifications").get(0).path("event").path("event_id").asText()).isEqualTo(first);

        JsonNode highlights = ok(client.get(V3 + "/notifications?only=highlight", bob.token()));
        assertThat(highlights.path("notifications")).hasSize(1);
        assertThat(highlights.path("notifications").get(0).path("event").path("content").path("body").asText())
                .isEqualTo("two");

        ok(client.request("POST", V3 + "/rooms/" + enc(roomId) + "/receipt/m.read/" + enc(first), "{}",
                bob.token()));
        JsonNode after = ok(client.get(V3 + "/notifications", bob.token())).path("notifications");
        assertThat(after.get(2).path("read").asBoolean()).isTrue();
        assertThat(after.get(0).path("read").asBoolean()).isFalse();

        error(client.get(V3 + "/notifications?limit=x", bob.token()), 400, "M_INVALID_PARAM");
        error(client.get(V3 + "/notifications?limit=0", bob.token()), 400, "M_INVALID_PARAM");
        error(client.get(V3 + "/notifications?from=abc", bob.token()), 400, "M_INVALID_PARAM");
        error(client.get(V3 + "/notifications?only=all", bob.token()), 400, "M_INVALID_PARAM");
        assertThat(ok(client.get(V3 + "/notifications", alice.token())).path("notifications")).isEmpty();
    }

    /** A push gateway on loopback that answers each request with the next of the given statuses and bodies. */
    static final class Gateway implements AutoCloseable {
        final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        final HttpServer http;
        final List<String> answers;
        final AtomicInteger calls = new AtomicInteger();

        /** Answers like "500" or "200 {\"rejected\":[]}"; the last one repeats. */
        Gateway(String... answers) throws IOException {
            this.answers = List.of(answers);
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/_matrix/push/v1/notify", exchange -> {
                received.add(Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes()));
                String answer = this.answers.get(Math.min(calls.getAndIncrement(), this.answers.size() - 1));
                int space = answer.indexOf(' ');
                int status = Integer.parseInt(space < 0 ? answer : answer.substring(0, space));
                byte[] body = (space < 0 ? "{}" : answer.substring(space + 1)).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            http.start();
        }

        String url() {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/_matrix/push/v1/notify";
        }

        JsonNode next() throws InterruptedException {
            JsonNode request = received.poll(20, TimeUnit.SECONDS);
            assertThat(request).as("a request reached the gateway").isNotNull();
            return request;
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    @Test
    void aMentionReachesThePushGatewayAfterRetries() throws Exception {
        User alice = newUser();
        User bob = newUser();
        String roomId = sharedRoom(alice, bob, null);
        try (var gateway = new Gateway("500", "502", "200 {\"rejected\":[]}")) {
            ok(client.request("POST", V3 + "/pushers/set", pusher("org.example.app", "bobkey", gateway.url(),
                    ""), bob.token()));
            String eventId = send(alice, roomId, mention("ping bob", bob.id()));

            JsonNode first = gateway.next();
            JsonNode retried = gateway.next();
            JsonNode delivered = gateway.next();
            assertThat(retried).isEqualTo(first);
            JsonNode notification = delivered.path("notification");
            assertThat(notification.path("event_id").asText()).isEqualTo(eventId);
            assertThat(notification.path("room_id").asText()).isEqualTo(roomId);
            assertThat(notification.path("type").asText()).isEqualTo("m.room.message");
            assertThat(notification.path("sender").asText()).isEqualTo(alice.id());
            assertThat(notification.path("content").path("body").asText()).isEqualTo("ping bob");
            assertThat(notification.path("prio").asText()).isEqualTo("high");
            assertThat(notification.path("counts").path("unread").asInt()).isEqualTo(1);
            JsonNode device = notification.path("devices").get(0);
            assertThat(device.path("app_id").asText()).isEqualTo("org.example.app");
            assertThat(device.path("pushkey").asText()).isEqualTo("bobkey");
            assertThat(device.path("pushkey_ts").asLong()).isPositive();
            assertThat(device.path("data").has("url")).isFalse();
            assertThat(device.path("data").path("custom").asInt()).isEqualTo(1);
            assertThat(device.path("tweaks").path("highlight").asBoolean()).isTrue();
            assertThat(device.path("tweaks").path("sound").asText()).isEqualTo("default");

            // Delivered: nothing more is sent for it.
            assertThat(gateway.received.poll(1500, TimeUnit.MILLISECONDS)).isNull();
            assertThat(gateway.calls.get()).isEqualTo(3);
        }
    }

    @Test
    void aRejectedPushkeyLosesItsPusherAndEventIdOnlyIsHonoured() throws Exception {
        User alice = newUser();
        User bob = newUser();
        String roomId = sharedRoom(alice, bob, null);
        try (var gateway = new Gateway("200 {\"rejected\":[\"gone\"]}")) {
            ok(client.request("POST", V3 + "/pushers/set", "{\"kind\":\"http\",\"app_id\":\"org.example.app\","
                    + "\"pushkey\":\"gone\",\"app_display_name\":\"App\",\"device_display_name\":\"Phone\","
                    + "\"lang\":\"en\",\"data\":{\"url\":\"" + gateway.url() + "\",\"format\":\"event_id_only\"}}",
                    bob.token()));
            String eventId = send(alice, roomId, text("secret"));
            JsonNode notification = gateway.next().path("notification");
            assertThat(notification.path("event_id").asText()).isEqualTo(eventId);
            assertThat(notification.has("content")).isFalse();
            assertThat(notification.has("sender")).isFalse();
            assertThat(notification.path("devices").get(0).path("data").path("format").asText())
                    .isEqualTo("event_id_only");
            for (int i = 0; i < 50 && !ok(client.get(V3 + "/pushers", bob.token())).path("pushers").isEmpty(); i++) {
                Thread.sleep(100);
            }
            assertThat(ok(client.get(V3 + "/pushers", bob.token())).path("pushers")).isEmpty();
            send(alice, roomId, text("again"));
            sync(bob, "");
            assertThat(gateway.received.poll(1500, TimeUnit.MILLISECONDS)).isNull();
        }
    }
}
