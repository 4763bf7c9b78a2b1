package dev.myelin.server.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.myelin.server.testing.TestClient;
import dev.myelin.server.testing.TestClient.Reply;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Users, rooms and requests for the room feature HTTP tests (profiles, directory, search, spaces, ...). */
final class FeatureHttpSupport {
    static final String V3 = "/_matrix/client/v3";
    private static final AtomicInteger TXN = new AtomicInteger();

    private final TestClient client;

    FeatureHttpSupport(TestClient client) {
        this.client = client;
    }

    record User(String id, String token) {}

    User newUser() {
        return newUser(AccountsHttpTest.newName());
    }

    User newUser(String localpart) {
        JsonNode body = AccountsHttpTest.register(client, localpart, "correct horse battery", "");
        return new User(body.path("user_id").asText(), body.path("access_token").asText());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    Reply post(User user, String path, String body) {
        return client.request("POST", path.startsWith("/_") ? path : V3 + path, body, user.token());
    }

    Reply put(User user, String path, String body) {
        return client.request("PUT", path.startsWith("/_") ? path : V3 + path, body, user.token());
    }

    Reply delete(User user, String path) {
        return client.request("DELETE", path.startsWith("/_") ? path : V3 + path, null, user.token());
    }

    Reply get(User user, String path) {
        return client.get(path.startsWith("/_") ? path : V3 + path, user.token());
    }

    Reply get(String path) {
        return client.get(path.startsWith("/_") ? path : V3 + path);
    }

    static JsonNode ok(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    static void error(Reply reply, int status, String errcode) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.errcode()).as(reply.body()).isEqualTo(errcode);
    }

    String createRoom(User user, String body) {
        return ok(post(user, "/createRoom", body)).path("room_id").asText();
    }

    void join(User user, String roomId) {
        ok(post(user, "/rooms/" + enc(roomId) + "/join", "{}"));
    }

    String sendText(User user, String roomId, String body) {
        return ok(put(user, "/rooms/" + enc(roomId) + "/send/m.room.message/f" + TXN.incrementAndGet(),
                "{\"msgtype\":\"m.text\",\"body\":\"" + body + "\"}")).path("event_id").asText();
    }

    /** Waits up to 10 s for a background change (profile propagation). */
    static void eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in time").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
